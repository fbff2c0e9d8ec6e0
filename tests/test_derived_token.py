"""GetDerivedToken (RFC 8693 token exchange): a user's token exchanged by a client allowed
impersonation or delegation for a scoped, audience-bound access token; an actor token
named in `act`; refusals."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import LiveServer, confirmed_user, sign_in
from .test_tokens import verify


@pytest.fixture
def exchange(cognito: Any, pool_id: str) -> dict[str, Any]:
    cognito.create_resource_server(UserPoolId=pool_id, Identifier="orders", Name="orders",
                                   Scopes=[{"ScopeName": "read", "ScopeDescription": "r"}])
    confirmed_user(cognito, pool_id, email="alice@example.com")
    web = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
    )["UserPoolClient"]["ClientId"]
    gateway = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="gateway", GenerateSecret=True,
        ExplicitAuthFlows=["ALLOW_TOKEN_EXCHANGE_IMPERSONATION", "ALLOW_TOKEN_EXCHANGE_DELEGATION"],
        AllowedOAuthFlowsUserPoolClient=True, AllowedOAuthFlows=["code"], CallbackURLs=["https://x.example/cb"],
        AllowedOAuthScopes=["openid", "aws.cognito.signin.user.admin", "orders/read"],
    )["UserPoolClient"]
    return {"tokens": sign_in(cognito, web), "gateway": gateway}


def derive(cognito: Any, gateway: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    out: dict[str, Any] = cognito.get_derived_token(ClientId=gateway["ClientId"], ClientSecret=gateway["ClientSecret"],
                                                    **kwargs)
    return out


def test_an_access_token_exchanged_for_an_audience(cognito: Any, server: LiveServer, pool_id: str,
                                                   exchange: dict[str, Any]) -> None:
    out = derive(cognito, exchange["gateway"], SubjectToken=exchange["tokens"]["AccessToken"],
                 SubjectTokenType="ACCESS_TOKEN", Audiences=["billing"])
    assert (out["IssuedTokenType"], out["TokenType"], out["ExpiresIn"]) == ("ACCESS_TOKEN", "Bearer", 3600)
    claims = verify(server.url, pool_id, out["IssuedToken"], audience="billing")
    assert claims["username"] == "alice" and claims["client_id"] == exchange["gateway"]["ClientId"]
    assert out["Scopes"] == ["aws.cognito.signin.user.admin"] == claims["scope"].split()
    assert "act" not in claims


def test_delegation_names_the_actor(cognito: Any, server: LiveServer, pool_id: str,
                                    exchange: dict[str, Any]) -> None:
    actor = sign_in(cognito, cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="svc", ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
    )["UserPoolClient"]["ClientId"])
    out = derive(cognito, exchange["gateway"], SubjectToken=exchange["tokens"]["IdToken"],
                 SubjectTokenType="ID_TOKEN", ActorToken=actor["AccessToken"], ActorTokenType="ACCESS_TOKEN",
                 Resources=["orders"], Scopes=["orders/read", "openid"])
    claims = verify(server.url, pool_id, out["IssuedToken"], audience="orders")
    assert claims["act"]["sub"] == claims["sub"]  # the same user acts here, through another client
    assert out["Scopes"] == ["orders/read", "openid"]


def test_refusals(cognito: Any, pool_id: str, exchange: dict[str, Any]) -> None:
    gateway, access = exchange["gateway"], exchange["tokens"]["AccessToken"]
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.get_derived_token(ClientId=gateway["ClientId"], SubjectToken=access, SubjectTokenType="ACCESS_TOKEN")
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="subject token"):
        derive(cognito, gateway, SubjectToken=access[:-6] + "AAAAAA", SubjectTokenType="ACCESS_TOKEN")
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="subject token"):
        derive(cognito, gateway, SubjectToken=access, SubjectTokenType="ID_TOKEN")
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        derive(cognito, gateway, SubjectToken=access, SubjectTokenType="ACCESS_TOKEN", Audiences=["a"],
               Resources=["orders"])
    plain = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="plain")["UserPoolClient"]["ClientId"]
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="TOKEN_EXCHANGE"):
        cognito.get_derived_token(ClientId=plain, SubjectToken=access, SubjectTokenType="ACCESS_TOKEN")
    cognito.global_sign_out(AccessToken=access)
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="revoked"):
        derive(cognito, gateway, SubjectToken=access, SubjectTokenType="ACCESS_TOKEN")


def test_an_id_token_can_be_requested(cognito: Any, server: LiveServer, pool_id: str,
                                      exchange: dict[str, Any]) -> None:
    gateway = exchange["gateway"]
    out = derive(cognito, gateway, SubjectToken=exchange["tokens"]["AccessToken"], SubjectTokenType="ACCESS_TOKEN",
                 RequestedTokenType="ID_TOKEN")
    # RFC 8693: an issued token that is not an access token has token_type N_A.
    assert (out["IssuedTokenType"], out["TokenType"], out["ExpiresIn"]) == ("ID_TOKEN", "N_A", 3600)
    assert "Scopes" not in out
    claims = verify(server.url, pool_id, out["IssuedToken"], audience=gateway["ClientId"])
    assert claims["token_use"] == "id" and claims["cognito:username"] == "alice"
    assert claims["email"] == "alice@example.com" and claims["sub"]
    assert "scope" not in claims and "client_id" not in claims
    # An audience asked for becomes the ID token's audience.
    billing = derive(cognito, gateway, SubjectToken=exchange["tokens"]["IdToken"], SubjectTokenType="ID_TOKEN",
                     RequestedTokenType="ID_TOKEN", Audiences=["billing"])
    assert verify(server.url, pool_id, billing["IssuedToken"], audience="billing")["token_use"] == "id"


def test_saml_and_unknown_providers_are_refused(cognito: Any, pool_id: str, exchange: dict[str, Any]) -> None:
    """OIDC providers' tokens are exchanged (test_federation.py); SAML assertions are not."""
    gateway, access = exchange["gateway"], exchange["tokens"]["AccessToken"]
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="does not exchange SAML"):
        derive(cognito, gateway, SubjectToken="PHNhbWw+", SubjectTokenType="SAML2")
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="Identity provider Okta does not exist"):
        derive(cognito, gateway, SubjectToken=access, SubjectTokenType="ACCESS_TOKEN",
               SubjectTokenProviderName="Okta")
    cognito.create_identity_provider(UserPoolId=pool_id, ProviderName="Corp", ProviderType="SAML",
                                     ProviderDetails={"MetadataFile": "<EntityDescriptor/>"})
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="OIDC providers only"):
        derive(cognito, gateway, SubjectToken="PHNhbWw+", SubjectTokenType="SAML2", SubjectTokenProviderName="Corp")
