"""App clients with real boto3: CreateUserPoolClient, DescribeUserPoolClient,
UpdateUserPoolClient, DeleteUserPoolClient, ListUserPoolClients."""

from __future__ import annotations

import re
from typing import Any

import jwt
import pytest

from .conftest import PASSWORD, LiveServer, confirmed_user, sign_in

CLIENT_ID = re.compile(r"[a-z0-9]{26}")
PASSWORD_FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
OAUTH = {
    "CallbackURLs": ["https://app.example.com/cb", "http://localhost:3000/cb"],
    "LogoutURLs": ["https://app.example.com/bye"],
    "DefaultRedirectURI": "https://app.example.com/cb",
    "AllowedOAuthFlows": ["code"],
    "AllowedOAuthScopes": ["openid", "email"],
    "AllowedOAuthFlowsUserPoolClient": True,
    "SupportedIdentityProviders": ["COGNITO"],
}


def make_client(cognito: Any, pool_id: str, name: str = "web", **kwargs: Any) -> dict[str, Any]:
    return cognito.create_user_pool_client(UserPoolId=pool_id, ClientName=name, **kwargs)["UserPoolClient"]


def claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


# -- CreateUserPoolClient / DescribeUserPoolClient ------------------------------------


def test_create_client_shows_cognito_defaults(cognito: Any, pool_id: str, server: LiveServer) -> None:
    before = server.clock.now()
    client = make_client(cognito, pool_id, "web")
    after = server.clock.now()
    assert CLIENT_ID.fullmatch(client["ClientId"]), client["ClientId"]
    assert client["UserPoolId"] == pool_id and client["ClientName"] == "web"
    assert client["RefreshTokenValidity"] == 30
    assert client["TokenValidityUnits"] == {}
    assert client["AllowedOAuthFlowsUserPoolClient"] is False
    assert client["EnableTokenRevocation"] is True
    assert client["EnablePropagateAdditionalUserContextData"] is False
    assert client["AuthSessionValidity"] == 3
    for absent in ("ClientSecret", "AccessTokenValidity", "IdTokenValidity", "PreventUserExistenceErrors",
                   "CallbackURLs", "ReadAttributes", "WriteAttributes", "DefaultRedirectURI"):
        assert absent not in client, absent
    assert client["CreationDate"] == client["LastModifiedDate"]
    assert before - 0.001 <= client["CreationDate"].timestamp() <= after + 0.001
    described = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client["ClientId"])
    assert described["UserPoolClient"] == client


def test_client_ids_are_unique(cognito: Any, pool_id: str) -> None:
    ids = {make_client(cognito, pool_id, f"c{i}")["ClientId"] for i in range(5)}
    assert len(ids) == 5


def test_default_token_lifetimes_are_an_hour_and_thirty_days(cognito: Any, pool_id: str, server: LiveServer) -> None:
    client = make_client(cognito, pool_id, ExplicitAuthFlows=PASSWORD_FLOWS)
    confirmed_user(cognito, pool_id, "alice")
    tokens = sign_in(cognito, client["ClientId"], "alice")
    assert tokens["ExpiresIn"] == 3600
    id_claims = claims(tokens["IdToken"])
    assert id_claims["exp"] - id_claims["iat"] == 3600
    server.clock.advance(30 * 86400 - 60)
    cognito.initiate_auth(ClientId=client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH",
                          AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    server.clock.advance(120)
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="expired"):
        cognito.initiate_auth(ClientId=client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH",
                              AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})


def test_generated_secret(cognito: Any, pool_id: str) -> None:
    client = make_client(cognito, pool_id, GenerateSecret=True, ExplicitAuthFlows=PASSWORD_FLOWS)
    assert re.fullmatch(r"[a-z0-9]{51}", client["ClientSecret"]), client["ClientSecret"]
    described = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client["ClientId"])
    assert described["UserPoolClient"]["ClientSecret"] == client["ClientSecret"]
    other = make_client(cognito, pool_id, GenerateSecret=True)
    assert other["ClientSecret"] != client["ClientSecret"]
    # The secret is in force: sign-in without SECRET_HASH is refused.
    confirmed_user(cognito, pool_id, "alice")
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="secret"):
        sign_in(cognito, client["ClientId"], "alice")


def test_supplied_secret_is_kept_and_cannot_be_combined_with_generate(cognito: Any, pool_id: str) -> None:
    secret = "my0wn0secret0that0is0long0enough"
    assert make_client(cognito, pool_id, ClientSecret=secret)["ClientSecret"] == secret
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        make_client(cognito, pool_id, GenerateSecret=True, ClientSecret=secret)


def test_token_validity_without_units_is_in_hours(cognito: Any, pool_id: str) -> None:
    client = make_client(cognito, pool_id, AccessTokenValidity=2, IdTokenValidity=3, RefreshTokenValidity=7,
                         ExplicitAuthFlows=PASSWORD_FLOWS)
    assert (client["AccessTokenValidity"], client["IdTokenValidity"], client["RefreshTokenValidity"]) == (2, 3, 7)
    assert client["TokenValidityUnits"] == {}
    confirmed_user(cognito, pool_id, "alice")
    tokens = sign_in(cognito, client["ClientId"], "alice")
    assert tokens["ExpiresIn"] == 7200
    id_claims = claims(tokens["IdToken"])
    assert id_claims["exp"] - id_claims["iat"] == 3 * 3600


def test_token_validity_units_are_honoured(cognito: Any, pool_id: str, server: LiveServer) -> None:
    units = {"AccessToken": "minutes", "IdToken": "seconds", "RefreshToken": "hours"}
    client = make_client(cognito, pool_id, AccessTokenValidity=30, IdTokenValidity=600, RefreshTokenValidity=2,
                         TokenValidityUnits=units, ExplicitAuthFlows=PASSWORD_FLOWS)
    assert client["TokenValidityUnits"] == units
    confirmed_user(cognito, pool_id, "alice")
    tokens = sign_in(cognito, client["ClientId"], "alice")
    assert tokens["ExpiresIn"] == 1800
    id_claims = claims(tokens["IdToken"])
    assert id_claims["exp"] - id_claims["iat"] == 600
    server.clock.advance(2 * 3600 + 1)
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="Refresh Token has expired"):
        cognito.initiate_auth(ClientId=client["ClientId"], AuthFlow="REFRESH_TOKEN_AUTH",
                              AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})


def test_refresh_token_validity_zero_means_thirty_days(cognito: Any, pool_id: str) -> None:
    assert make_client(cognito, pool_id, RefreshTokenValidity=0)["RefreshTokenValidity"] == 30


@pytest.mark.parametrize("kwargs", [
    {"AccessTokenValidity": 4, "TokenValidityUnits": {"AccessToken": "minutes"}},
    {"AccessTokenValidity": 25},
    {"IdTokenValidity": 299, "TokenValidityUnits": {"IdToken": "seconds"}},
    {"IdTokenValidity": 2, "TokenValidityUnits": {"IdToken": "days"}},
    {"RefreshTokenValidity": 59, "TokenValidityUnits": {"RefreshToken": "minutes"}},
    {"RefreshTokenValidity": 3651},
])
def test_token_validity_out_of_range(cognito: Any, pool_id: str, kwargs: dict[str, Any]) -> None:
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="validity"):
        make_client(cognito, pool_id, **kwargs)


def test_auth_session_validity_range(cognito: Any, pool_id: str) -> None:
    assert make_client(cognito, pool_id, AuthSessionValidity=15)["AuthSessionValidity"] == 15
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="authSessionValidity"):
        make_client(cognito, pool_id, AuthSessionValidity=16)


def test_explicit_auth_flows_gate_sign_in(cognito: Any, pool_id: str) -> None:
    srp_only = make_client(cognito, pool_id, ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    assert sorted(srp_only["ExplicitAuthFlows"]) == ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"]
    confirmed_user(cognito, pool_id, "alice")
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="not enabled"):
        sign_in(cognito, srp_only["ClientId"], "alice")
    legacy = make_client(cognito, pool_id, ExplicitAuthFlows=["USER_PASSWORD_AUTH"])
    assert legacy["ExplicitAuthFlows"] == ["USER_PASSWORD_AUTH"]
    assert "AccessToken" in sign_in(cognito, legacy["ClientId"], "alice")


def test_legacy_and_allow_flows_cannot_be_mixed(cognito: Any, pool_id: str) -> None:
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        make_client(cognito, pool_id, ExplicitAuthFlows=["ADMIN_NO_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])


def test_unknown_auth_flow_is_refused(unchecked: Any, pool_id: str) -> None:
    with pytest.raises(unchecked.exceptions.InvalidParameterException, match="explicitAuthFlows"):
        make_client(unchecked, pool_id, ExplicitAuthFlows=["ALLOW_EVERYTHING"])


def test_oauth_settings_are_kept(cognito: Any, pool_id: str) -> None:
    client = make_client(cognito, pool_id, **OAUTH)
    for key, value in OAUTH.items():
        assert client[key] == value, key


def test_default_redirect_uri_must_be_a_callback_url(cognito: Any, pool_id: str) -> None:
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="DefaultRedirectURI"):
        make_client(cognito, pool_id, CallbackURLs=["https://app.example.com/cb"],
                    DefaultRedirectURI="https://evil.example.com/cb")
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="DefaultRedirectURI"):
        make_client(cognito, pool_id, DefaultRedirectURI="https://app.example.com/cb")


def test_read_attributes_limit_the_id_token(cognito: Any) -> None:
    pool_id = cognito.create_user_pool(PoolName="attrs", Schema=[
        {"Name": "tier", "AttributeDataType": "String"}])["UserPool"]["Id"]
    client = make_client(cognito, pool_id, ReadAttributes=["email", "custom:tier"],
                         WriteAttributes=["name", "custom:tier"], ExplicitAuthFlows=PASSWORD_FLOWS)
    assert sorted(client["ReadAttributes"]) == ["custom:tier", "email"]
    assert sorted(client["WriteAttributes"]) == ["custom:tier", "name"]
    cognito.admin_create_user(UserPoolId=pool_id, Username="alice", MessageAction="SUPPRESS", UserAttributes=[
        {"Name": "email", "Value": "a@example.com"}, {"Name": "name", "Value": "Alice"},
        {"Name": "custom:tier", "Value": "gold"}])
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="alice", Password=PASSWORD, Permanent=True)
    id_claims = claims(sign_in(cognito, client["ClientId"], "alice")["IdToken"])
    assert id_claims["email"] == "a@example.com" and id_claims["custom:tier"] == "gold"
    assert "name" not in id_claims


@pytest.mark.parametrize("key", ["ReadAttributes", "WriteAttributes"])
def test_unknown_read_or_write_attribute(cognito: Any, pool_id: str, key: str) -> None:
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        make_client(cognito, pool_id, **{key: ["email", "custom:nope"]})


def test_create_client_errors(cognito: Any, unchecked: Any, pool_id: str) -> None:
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        make_client(cognito, "us-east-1_NoSuchP00l")
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="userPoolId"):
        make_client(cognito, "nope")
    with pytest.raises(unchecked.exceptions.InvalidParameterException, match="'clientName'.*not be null"):
        unchecked.create_user_pool_client(UserPoolId=pool_id)
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="clientName"):
        make_client(cognito, pool_id, "bad/name")


def test_describe_client_errors(cognito: Any, pool_id: str, client_id: str) -> None:
    other_pool = cognito.create_user_pool(PoolName="other")["UserPool"]["Id"]
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.describe_user_pool_client(UserPoolId=other_pool, ClientId=client_id)
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId="0" * 26)
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.describe_user_pool_client(UserPoolId="us-east-1_NoSuchP00l", ClientId=client_id)
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="clientId"):
        cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId="not-a-client!")


# -- UpdateUserPoolClient -----------------------------------------------------------


def test_update_client_resets_what_it_omits(cognito: Any, pool_id: str, server: LiveServer) -> None:
    created = make_client(
        cognito, pool_id, "web", GenerateSecret=True, AccessTokenValidity=2, IdTokenValidity=2,
        RefreshTokenValidity=10, TokenValidityUnits={"RefreshToken": "days"}, ExplicitAuthFlows=PASSWORD_FLOWS,
        ReadAttributes=["email"], PreventUserExistenceErrors="ENABLED", AuthSessionValidity=10,
        EnableTokenRevocation=False, **OAUTH,
    )
    server.clock.advance(45)
    updated = cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=created["ClientId"],
                                              ClientName="renamed")["UserPoolClient"]
    assert cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=created["ClientId"])["UserPoolClient"] == updated
    assert updated["ClientName"] == "renamed"
    assert updated["ClientId"] == created["ClientId"] and updated["ClientSecret"] == created["ClientSecret"]
    assert updated["CreationDate"] == created["CreationDate"]
    assert (updated["LastModifiedDate"] - created["LastModifiedDate"]).total_seconds() > 44.999
    assert updated["RefreshTokenValidity"] == 30 and updated["TokenValidityUnits"] == {}
    assert updated["AuthSessionValidity"] == 3
    assert updated["EnableTokenRevocation"] is True
    assert updated["AllowedOAuthFlowsUserPoolClient"] is False
    for gone in ("AccessTokenValidity", "IdTokenValidity", "ExplicitAuthFlows", "ReadAttributes",
                 "PreventUserExistenceErrors", "CallbackURLs", "LogoutURLs", "DefaultRedirectURI",
                 "AllowedOAuthFlows", "AllowedOAuthScopes", "SupportedIdentityProviders"):
        assert gone not in updated, gone


def test_update_client_changes_what_sign_in_allows(cognito: Any, pool_id: str) -> None:
    client = make_client(cognito, pool_id)
    confirmed_user(cognito, pool_id, "alice")
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        sign_in(cognito, client["ClientId"], "alice")
    updated = cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=client["ClientId"], ClientName="web",
                                              ExplicitAuthFlows=PASSWORD_FLOWS, AccessTokenValidity=10,
                                              TokenValidityUnits={"AccessToken": "minutes"})["UserPoolClient"]
    assert updated["ExplicitAuthFlows"] == PASSWORD_FLOWS and updated["AccessTokenValidity"] == 10
    assert sign_in(cognito, client["ClientId"], "alice")["ExpiresIn"] == 600


@pytest.mark.parametrize("kwargs", [
    {"ExplicitAuthFlows": ["USER_PASSWORD_AUTH", "ALLOW_USER_PASSWORD_AUTH"]},
    {"AccessTokenValidity": 2, "TokenValidityUnits": {"AccessToken": "days"}},
    {"CallbackURLs": ["https://a.example.com/cb"], "DefaultRedirectURI": "https://b.example.com/cb"},
    {"ReadAttributes": ["custom:missing"]},
])
def test_invalid_update_changes_nothing(cognito: Any, pool_id: str, kwargs: dict[str, Any]) -> None:
    created = make_client(cognito, pool_id, "web", ExplicitAuthFlows=PASSWORD_FLOWS)
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.update_user_pool_client(UserPoolId=pool_id, ClientId=created["ClientId"], ClientName="x", **kwargs)
    after = cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=created["ClientId"])["UserPoolClient"]
    assert after == created


def test_update_client_errors(cognito: Any, pool_id: str, client_id: str) -> None:
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.update_user_pool_client(UserPoolId=pool_id, ClientId="0" * 26)
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.update_user_pool_client(UserPoolId="us-east-1_NoSuchP00l", ClientId=client_id)
    other_pool = cognito.create_user_pool(PoolName="other")["UserPool"]["Id"]
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.update_user_pool_client(UserPoolId=other_pool, ClientId=client_id)


# -- DeleteUserPoolClient -----------------------------------------------------------


def test_delete_client(cognito: Any, pool_id: str, client_id: str) -> None:
    keep = make_client(cognito, pool_id, "keep")["ClientId"]
    confirmed_user(cognito, pool_id, "alice")
    tokens = sign_in(cognito, client_id, "alice")
    cognito.delete_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                              AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.delete_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    listed = cognito.list_user_pool_clients(UserPoolId=pool_id)["UserPoolClients"]
    assert [c["ClientId"] for c in listed] == [keep]


def test_delete_client_through_another_pool_is_refused(cognito: Any, pool_id: str, client_id: str) -> None:
    other_pool = cognito.create_user_pool(PoolName="other")["UserPool"]["Id"]
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.delete_user_pool_client(UserPoolId=other_pool, ClientId=client_id)
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.delete_user_pool_client(UserPoolId="us-east-1_NoSuchP00l", ClientId=client_id)
    assert cognito.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)["UserPoolClient"]["ClientId"] == client_id


# -- ListUserPoolClients ------------------------------------------------------------


def test_list_clients_pages(cognito: Any, pool_id: str) -> None:
    made = {make_client(cognito, pool_id, f"c{i}", GenerateSecret=True)["ClientId"]: f"c{i}" for i in range(5)}
    cognito.create_user_pool_client(UserPoolId=cognito.create_user_pool(PoolName="other")["UserPool"]["Id"],
                                    ClientName="elsewhere")
    pages: list[list[dict[str, Any]]] = []
    kwargs: dict[str, Any] = {"UserPoolId": pool_id, "MaxResults": 2}
    while True:
        resp = cognito.list_user_pool_clients(**kwargs)
        pages.append(resp["UserPoolClients"])
        if "NextToken" not in resp:
            break
        kwargs["NextToken"] = resp["NextToken"]
    assert [len(p) for p in pages] == [2, 2, 1]
    listed = [c for page in pages for c in page]
    assert {c["ClientId"]: c["ClientName"] for c in listed} == made
    assert all(c == {"ClientId": c["ClientId"], "UserPoolId": pool_id, "ClientName": c["ClientName"]}
               for c in listed)
    everything = cognito.list_user_pool_clients(UserPoolId=pool_id)
    assert len(everything["UserPoolClients"]) == 5 and "NextToken" not in everything
    paged = [c["ClientId"] for page in cognito.get_paginator("list_user_pool_clients").paginate(
        UserPoolId=pool_id, PaginationConfig={"PageSize": 3}) for c in page["UserPoolClients"]]
    assert sorted(paged) == sorted(made)


def test_list_clients_of_an_empty_pool(cognito: Any, pool_id: str) -> None:
    resp = cognito.list_user_pool_clients(UserPoolId=pool_id, MaxResults=10)
    assert resp["UserPoolClients"] == [] and "NextToken" not in resp


@pytest.mark.parametrize("kwargs, error, match", [
    ({"UserPoolId": "us-east-1_NoSuchP00l"}, "ResourceNotFoundException", "us-east-1_NoSuchP00l"),
    ({"UserPoolId": "bad"}, "InvalidParameterException", "userPoolId"),
    ({}, "InvalidParameterException", "not be null"),
    ({"MaxResults": 0}, "InvalidParameterException", "greater than or equal to 1"),
    ({"MaxResults": 61}, "InvalidParameterException", "less than or equal to 60"),
    ({"NextToken": "garbage"}, "InvalidParameterException", "token"),
])
def test_list_clients_errors(unchecked: Any, pool_id: str, kwargs: dict[str, Any], error: str, match: str) -> None:
    request = {"UserPoolId": pool_id, **kwargs} if kwargs else {}
    with pytest.raises(getattr(unchecked.exceptions, error), match=match):
        unchecked.list_user_pool_clients(**request)
