"""GetClientToken: a machine-to-machine access token through the API, for a client with a
secret that may use the client_credentials grant (botocore's model has no
ALLOW_CLIENT_TOKEN_AUTH flow to name), scoped as the /oauth2/token grant is."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import LiveServer
from .test_tokens import claims, verify


@pytest.fixture
def machine(cognito: Any, pool_id: str) -> dict[str, Any]:
    cognito.create_resource_server(UserPoolId=pool_id, Identifier="orders", Name="orders",
                                   Scopes=[{"ScopeName": "read", "ScopeDescription": "r"},
                                           {"ScopeName": "write", "ScopeDescription": "w"}])
    client: dict[str, Any] = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="machine", GenerateSecret=True, AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=["orders/read", "orders/write"],
    )["UserPoolClient"]
    return client


def test_client_token_carries_the_clients_scopes(cognito: Any, server: LiveServer, pool_id: str,
                                                 machine: dict[str, Any]) -> None:
    result = cognito.get_client_token(ClientId=machine["ClientId"], Secret=machine["ClientSecret"],
                                      ClientMetadata={"k": "v"})["ClientAuthenticationResult"]
    assert result["TokenType"] == "Bearer" and result["ExpiresIn"] == 3600
    token = verify(server.url, pool_id, result["AccessToken"])
    assert token["sub"] == token["client_id"] == machine["ClientId"] and token["token_use"] == "access"
    assert token["scope"].split() == ["orders/read", "orders/write"]
    narrowed = cognito.get_client_token(ClientId=machine["ClientId"], Secret=machine["ClientSecret"],
                                        Scopes=["orders/read"])["ClientAuthenticationResult"]
    assert claims(narrowed["AccessToken"])["scope"] == "orders/read"


def test_client_token_refusals(cognito: Any, pool_id: str, machine: dict[str, Any]) -> None:
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.get_client_token(ClientId=machine["ClientId"], Secret="x" * 30)
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="scope"):
        cognito.get_client_token(ClientId=machine["ClientId"], Secret=machine["ClientSecret"],
                                 Scopes=["orders/delete"])
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.get_client_token(ClientId="nosuchclient0000000000000", Secret="x" * 30)
    user_client = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="web",
                                                  GenerateSecret=True)["UserPoolClient"]
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="client_credentials"):
        cognito.get_client_token(ClientId=user_client["ClientId"], Secret=user_client["ClientSecret"])
