"""App clients' OAuth settings with real boto3: what CreateUserPoolClient and
UpdateUserPoolClient accept and refuse (flows, scopes, redirect URLs, providers)."""

from __future__ import annotations

from typing import Any

import pytest

CODE_CLIENT = {
    "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code"],
    "AllowedOAuthScopes": ["openid"], "CallbackURLs": ["https://app.example.com/cb"],
}


@pytest.fixture
def api_pool(cognito: Any, pool_id: str) -> str:
    cognito.create_resource_server(UserPoolId=pool_id, Identifier="orders", Name="orders",
                                   Scopes=[{"ScopeName": "read", "ScopeDescription": "Read orders"}])
    return pool_id


def create(cognito: Any, pool_id: str, **kwargs: Any) -> dict[str, Any]:
    return cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app", **kwargs)["UserPoolClient"]


def test_custom_scopes_of_a_resource_server_are_allowed(cognito: Any, api_pool: str) -> None:
    client = create(cognito, api_pool, GenerateSecret=True, AllowedOAuthFlowsUserPoolClient=True,
                    AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=["orders/read"])
    assert client["AllowedOAuthFlows"] == ["client_credentials"]
    assert client["AllowedOAuthScopes"] == ["orders/read"]


def test_a_scope_no_resource_server_defines_does_not_exist(cognito: Any, api_pool: str) -> None:
    with pytest.raises(cognito.exceptions.ScopeDoesNotExistException, match="orders/write"):
        create(cognito, api_pool, **{**CODE_CLIENT, "AllowedOAuthScopes": ["openid", "orders/write"]})
    with pytest.raises(cognito.exceptions.ScopeDoesNotExistException, match="admin"):
        create(cognito, api_pool, **{**CODE_CLIENT, "AllowedOAuthScopes": ["admin"]})
    client = create(cognito, api_pool, **CODE_CLIENT)
    with pytest.raises(cognito.exceptions.ScopeDoesNotExistException):
        cognito.update_user_pool_client(UserPoolId=api_pool, ClientId=client["ClientId"],
                                        **{**CODE_CLIENT, "AllowedOAuthScopes": ["nope/read"]})


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"GenerateSecret": True, "AllowedOAuthFlows": ["client_credentials", "code"],
      "AllowedOAuthScopes": ["orders/read"], "CallbackURLs": ["https://a.example.com/cb"]}, "along with code"),
    ({"AllowedOAuthFlows": ["client_credentials"], "AllowedOAuthScopes": ["orders/read"]}, "client secret"),
    ({"GenerateSecret": True, "AllowedOAuthFlows": ["client_credentials"],
      "AllowedOAuthScopes": ["openid", "orders/read"]}, "openid is not supported"),
    ({"AllowedOAuthFlows": ["code"]}, "AllowedOAuthScopes are required"),
])
def test_oauth_flow_combinations_cognito_refuses(cognito: Any, api_pool: str, kwargs: dict[str, Any],
                                                 match: str) -> None:
    with pytest.raises(cognito.exceptions.InvalidOAuthFlowException, match=match):
        create(cognito, api_pool, AllowedOAuthFlowsUserPoolClient=True, **kwargs)


@pytest.mark.parametrize("kwargs", [
    {**CODE_CLIENT, "CallbackURLs": []},
    {**CODE_CLIENT, "CallbackURLs": ["http://app.example.com/cb"]},
    {**CODE_CLIENT, "CallbackURLs": ["https://app.example.com/cb#frag"]},
    {**CODE_CLIENT, "CallbackURLs": ["javascript:alert(1)"]},
    {**CODE_CLIENT, "LogoutURLs": ["http://evil.example.com/"]},
    {**CODE_CLIENT, "SupportedIdentityProviders": ["COGNITO", "Google"]},
])
def test_redirect_urls_and_providers_cognito_refuses(cognito: Any, pool_id: str, kwargs: dict[str, Any]) -> None:
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        create(cognito, pool_id, **kwargs)


def test_loopback_http_and_app_schemes_are_fine_redirects(cognito: Any, pool_id: str) -> None:
    urls = ["http://localhost:3000/cb", "http://127.0.0.1/cb", "http://[::1]:8080/cb", "myapp://callback",
            "https://app.example.com/cb?tenant=1"]
    client = create(cognito, pool_id, **{**CODE_CLIENT, "CallbackURLs": urls, "LogoutURLs": urls[:2],
                                         "SupportedIdentityProviders": ["COGNITO"]})
    assert client["CallbackURLs"] == urls and client["LogoutURLs"] == urls[:2]
