"""Tokens with real boto3 and PyJWT: claims verified against the pool's JWKS, validity
per client, expiry by the moved clock, refresh, and everything that ends a token's life
(GlobalSignOut, AdminUserGlobalSignOut, RevokeToken, disabling or deleting the user)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from typing import Any

import httpx
import jwt
import pytest

from .conftest import PASSWORD, LiveServer, confirmed_user, sign_in

FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def verify(base: str, pool_id: str, token: str, **kwargs: Any) -> dict[str, Any]:
    """Verify as a resource server would: the JWKS key named by the token's kid, RS256, issuer."""
    keys = jwt.PyJWKSet.from_dict(httpx.get(f"{base}/{pool_id}/.well-known/jwks.json").json())
    header = jwt.get_unverified_header(token)
    assert set(header) == {"alg", "kid"} and header["alg"] == "RS256"  # as Cognito's: no "typ"
    key = next(k for k in keys.keys if k.key_id == header["kid"])
    return jwt.decode(token, key.key, algorithms=["RS256"], issuer=f"{base}/{pool_id}", **kwargs)


def secret_hash(secret: str, username: str, client_id: str) -> str:
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def new_client(cognito: Any, pool_id: str, **options: Any) -> dict[str, Any]:
    options.setdefault("ExplicitAuthFlows", FLOWS)
    return cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="c", **options)["UserPoolClient"]


def refresh(cognito: Any, client_id: str, token: str, flow: str = "REFRESH_TOKEN_AUTH") -> dict[str, Any]:
    return cognito.initiate_auth(ClientId=client_id, AuthFlow=flow,
                                 AuthParameters={"REFRESH_TOKEN": token})["AuthenticationResult"]


def refused(cognito: Any, access_token: str, match: str | None = None) -> None:
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match=match):
        cognito.get_user(AccessToken=access_token)


def refresh_refused(cognito: Any, client_id: str, token: str, match: str | None = None) -> None:
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match=match):
        refresh(cognito, client_id, token)


# -- claims ------------------------------------------------------------------------------------


def test_tokens_verify_against_jwks_and_carry_cognito_claims(cognito: Any, server: LiveServer) -> None:
    schema = [{"Name": "team", "AttributeDataType": "String", "Mutable": True}]
    pool_id = cognito.create_user_pool(PoolName="claims", Schema=schema)["UserPool"]["Id"]
    client_id = new_client(cognito, pool_id)["ClientId"]
    confirmed_user(cognito, pool_id, "alice", **{"email": "alice@example.com", "email_verified": "true",
                                                 "given_name": "Alice", "custom:team": "red"})
    cognito.create_group(UserPoolId=pool_id, GroupName="admins")
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="admins")
    result = sign_in(cognito, client_id, "alice")
    sub = {a["Name"]: a["Value"] for a in
           cognito.admin_get_user(UserPoolId=pool_id, Username="alice")["UserAttributes"]}["sub"]

    id_claims = verify(server.url, pool_id, result["IdToken"], audience=client_id)
    assert id_claims["token_use"] == "id" and id_claims["aud"] == client_id and id_claims["sub"] == sub
    assert id_claims["cognito:username"] == "alice" and id_claims["cognito:groups"] == ["admins"]
    assert id_claims["email"] == "alice@example.com" and id_claims["email_verified"] is True
    assert id_claims["given_name"] == "Alice" and id_claims["custom:team"] == "red"
    assert id_claims["exp"] - id_claims["iat"] == 3600 and id_claims["auth_time"] == id_claims["iat"]
    for name in ("jti", "origin_jti", "event_id"):
        uuid.UUID(id_claims[name])

    access = verify(server.url, pool_id, result["AccessToken"])
    assert access["token_use"] == "access" and access["client_id"] == client_id and access["sub"] == sub
    assert access["username"] == "alice" and access["scope"] == "aws.cognito.signin.user.admin"
    assert access["cognito:groups"] == ["admins"] and "aud" not in access and "email" not in access
    assert access["exp"] - access["iat"] == result["ExpiresIn"] == 3600
    assert access["origin_jti"] == id_claims["origin_jti"] and access["event_id"] == id_claims["event_id"]
    assert access["auth_time"] == id_claims["auth_time"] and access["jti"] != id_claims["jti"]
    # Another sign-in is another session.
    again = claims(sign_in(cognito, client_id, "alice")["AccessToken"])
    assert again["origin_jti"] != access["origin_jti"] and again["jti"] != access["jti"]


def test_id_token_carries_only_readable_attributes(cognito: Any, server: LiveServer, pool_id: str) -> None:
    client_id = new_client(cognito, pool_id, ReadAttributes=["email"])["ClientId"]
    confirmed_user(cognito, pool_id, "alice", email="alice@example.com", given_name="Alice")
    id_claims = verify(server.url, pool_id, sign_in(cognito, client_id, "alice")["IdToken"], audience=client_id)
    assert id_claims["email"] == "alice@example.com" and "given_name" not in id_claims


def test_tokens_from_another_pool_do_not_verify(cognito: Any, server: LiveServer, pool_id: str,
                                                client_id: str) -> None:
    other = cognito.create_user_pool(PoolName="other")["UserPool"]["Id"]
    confirmed_user(cognito, pool_id)
    token = sign_in(cognito, client_id)["AccessToken"]
    keys = jwt.PyJWKSet.from_dict(httpx.get(f"{server.url}/{other}/.well-known/jwks.json").json())
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, keys.keys[0].key, algorithms=["RS256"])


# -- validity and expiry --------------------------------------------------------------------------


@pytest.mark.parametrize(("options", "access_s", "id_s"), [
    ({"AccessTokenValidity": 5, "IdTokenValidity": 2,
      "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "hours"}}, 300, 7200),
    ({"AccessTokenValidity": 900, "IdTokenValidity": 1,
      "TokenValidityUnits": {"AccessToken": "seconds", "IdToken": "days"}}, 900, 86400),
    ({"AccessTokenValidity": 2, "IdTokenValidity": 3}, 7200, 10800),  # hours when no unit is given
])
def test_token_validity_per_client(cognito: Any, pool_id: str, options: dict[str, Any], access_s: int,
                                   id_s: int) -> None:
    client_id = new_client(cognito, pool_id, **options)["ClientId"]
    confirmed_user(cognito, pool_id)
    result = sign_in(cognito, client_id)
    assert result["ExpiresIn"] == access_s
    access, id_claims = claims(result["AccessToken"]), claims(result["IdToken"])
    assert access["exp"] - access["iat"] == access_s and id_claims["exp"] - id_claims["iat"] == id_s
    again = refresh(cognito, client_id, result["RefreshToken"])
    assert again["ExpiresIn"] == access_s and claims(again["IdToken"])["exp"] - claims(again["IdToken"])["iat"] == id_s


def test_access_token_expires(cognito: Any, server: LiveServer, pool_id: str) -> None:
    client_id = new_client(cognito, pool_id, AccessTokenValidity=5,
                           TokenValidityUnits={"AccessToken": "minutes"})["ClientId"]
    confirmed_user(cognito, pool_id)
    result = sign_in(cognito, client_id)
    server.clock.advance(290)
    assert cognito.get_user(AccessToken=result["AccessToken"])["Username"] == "alice"
    server.clock.advance(11)
    refused(cognito, result["AccessToken"], "Access Token has expired")
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="Access Token has expired"):
        cognito.update_user_attributes(AccessToken=result["AccessToken"],
                                       UserAttributes=[{"Name": "name", "Value": "x"}])
    fresh = refresh(cognito, client_id, result["RefreshToken"])
    assert cognito.get_user(AccessToken=fresh["AccessToken"])["Username"] == "alice"


def test_refresh_token_expires(cognito: Any, server: LiveServer, pool_id: str) -> None:
    client_id = new_client(cognito, pool_id, RefreshTokenValidity=60,
                           TokenValidityUnits={"RefreshToken": "minutes"})["ClientId"]
    confirmed_user(cognito, pool_id)
    token = sign_in(cognito, client_id)["RefreshToken"]
    server.clock.advance(59 * 60)
    assert refresh(cognito, client_id, token)["AccessToken"]
    server.clock.advance(2 * 60)
    refresh_refused(cognito, client_id, token, "Refresh Token has expired")


# -- refresh ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("flow", ["REFRESH_TOKEN_AUTH", "REFRESH_TOKEN"])
def test_refresh_keeps_the_session(cognito: Any, server: LiveServer, pool_id: str, client_id: str,
                                   flow: str) -> None:
    confirmed_user(cognito, pool_id, given_name="Alice")
    first = sign_in(cognito, client_id)
    server.clock.advance(600)
    cognito.admin_update_user_attributes(UserPoolId=pool_id, Username="alice",
                                         UserAttributes=[{"Name": "given_name", "Value": "Alicia"}])
    again = refresh(cognito, client_id, first["RefreshToken"], flow)
    assert "RefreshToken" not in again and again["TokenType"] == "Bearer" and again["ExpiresIn"] == 3600
    old_access, new_access = claims(first["AccessToken"]), claims(again["AccessToken"])
    old_id, new_id = claims(first["IdToken"]), claims(again["IdToken"])
    assert new_access["origin_jti"] == old_access["origin_jti"] == new_id["origin_jti"]
    assert new_access["auth_time"] == old_access["auth_time"] == new_id["auth_time"]
    assert new_access["jti"] != old_access["jti"] and new_id["jti"] != old_id["jti"]
    assert new_access["iat"] >= old_access["iat"] + 600 and new_access["iat"] > new_access["auth_time"]
    assert new_id["given_name"] == "Alicia"
    assert cognito.get_user(AccessToken=again["AccessToken"])["Username"] == "alice"


def test_admin_refresh(cognito: Any, pool_id: str, client_id: str) -> None:
    confirmed_user(cognito, pool_id)
    first = sign_in(cognito, client_id)
    again = cognito.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                        AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]})
    result = again["AuthenticationResult"]
    assert "RefreshToken" not in result
    assert claims(result["AccessToken"])["origin_jti"] == claims(first["AccessToken"])["origin_jti"]


def test_refresh_token_belongs_to_its_client(cognito: Any, pool_id: str, client_id: str) -> None:
    confirmed_user(cognito, pool_id)
    other = new_client(cognito, pool_id)["ClientId"]
    token = sign_in(cognito, client_id)["RefreshToken"]
    refresh_refused(cognito, other, token, "Invalid Refresh Token")
    refresh_refused(cognito, client_id, token[:-8] + "AAAAAAAA", "Invalid Refresh Token")


# -- the end of a token's life ---------------------------------------------------------------------------


def two_sessions(cognito: Any, pool_id: str, client_id: str) -> list[dict[str, Any]]:
    confirmed_user(cognito, pool_id)
    confirmed_user(cognito, pool_id, "bob")
    sessions = [sign_in(cognito, client_id), sign_in(cognito, client_id)]
    for s in sessions:
        s["Refreshed"] = refresh(cognito, client_id, s["RefreshToken"])["AccessToken"]
    return sessions


def assert_all_revoked(cognito: Any, client_id: str, sessions: list[dict[str, Any]]) -> None:
    for s in sessions:
        refused(cognito, s["AccessToken"], "revoked")
        refused(cognito, s["Refreshed"], "revoked")
        refresh_refused(cognito, client_id, s["RefreshToken"], "revoked")


def test_global_sign_out(cognito: Any, server: LiveServer, pool_id: str, client_id: str) -> None:
    sessions = two_sessions(cognito, pool_id, client_id)
    bob = sign_in(cognito, client_id, "bob")
    assert cognito.global_sign_out(AccessToken=sessions[0]["AccessToken"])["ResponseMetadata"]
    assert_all_revoked(cognito, client_id, sessions)
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.global_sign_out(AccessToken=sessions[1]["AccessToken"])
    # ID tokens still verify offline; other users and new sign-ins are untouched.
    verify(server.url, pool_id, sessions[0]["IdToken"], audience=client_id)
    assert cognito.get_user(AccessToken=bob["AccessToken"])["Username"] == "bob"
    assert refresh(cognito, client_id, bob["RefreshToken"])["AccessToken"]
    assert cognito.get_user(AccessToken=sign_in(cognito, client_id)["AccessToken"])["Username"] == "alice"


def test_admin_user_global_sign_out(cognito: Any, pool_id: str, client_id: str) -> None:
    sessions = two_sessions(cognito, pool_id, client_id)
    bob = sign_in(cognito, client_id, "bob")
    cognito.admin_user_global_sign_out(UserPoolId=pool_id, Username="alice")
    assert_all_revoked(cognito, client_id, sessions)
    assert cognito.get_user(AccessToken=bob["AccessToken"])["Username"] == "bob"
    assert cognito.get_user(AccessToken=sign_in(cognito, client_id)["AccessToken"])["Username"] == "alice"


def test_revoke_token_ends_one_session(cognito: Any, pool_id: str, client_id: str) -> None:
    first, second = two_sessions(cognito, pool_id, client_id)
    cognito.revoke_token(Token=first["RefreshToken"], ClientId=client_id)
    assert_all_revoked(cognito, client_id, [first])
    assert cognito.get_user(AccessToken=second["AccessToken"])["Username"] == "alice"
    assert cognito.get_user(AccessToken=second["Refreshed"])["Username"] == "alice"
    assert refresh(cognito, client_id, second["RefreshToken"])["AccessToken"]
    cognito.revoke_token(Token=first["RefreshToken"], ClientId=client_id)  # again: still fine


def test_revoke_token_refusals(cognito: Any, pool_id: str, client_id: str) -> None:
    confirmed_user(cognito, pool_id)
    tokens = sign_in(cognito, client_id)
    other = new_client(cognito, pool_id)["ClientId"]
    with pytest.raises(cognito.exceptions.UnsupportedTokenTypeException):
        cognito.revoke_token(Token=tokens["AccessToken"], ClientId=client_id)
    with pytest.raises(cognito.exceptions.UnauthorizedException):
        cognito.revoke_token(Token=tokens["RefreshToken"], ClientId=other)
    no_revocation = new_client(cognito, pool_id, EnableTokenRevocation=False)["ClientId"]
    with pytest.raises(cognito.exceptions.UnsupportedOperationException):
        cognito.revoke_token(Token=sign_in(cognito, no_revocation)["RefreshToken"], ClientId=no_revocation)
    assert cognito.get_user(AccessToken=tokens["AccessToken"])["Username"] == "alice"
    assert refresh(cognito, client_id, tokens["RefreshToken"])["AccessToken"]


def test_revoke_token_with_client_secret(cognito: Any, pool_id: str) -> None:
    client = new_client(cognito, pool_id, ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH",
                                                             "ALLOW_REFRESH_TOKEN_AUTH"], GenerateSecret=True)
    cid, secret = client["ClientId"], client["ClientSecret"]
    confirmed_user(cognito, pool_id)
    tokens = cognito.admin_initiate_auth(
        UserPoolId=pool_id, ClientId=cid, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "alice", "PASSWORD": PASSWORD, "SECRET_HASH": secret_hash(secret, "alice", cid)},
    )["AuthenticationResult"]
    for wrong in ({}, {"ClientSecret": "x" * len(secret)}):
        with pytest.raises(cognito.exceptions.UnauthorizedException):
            cognito.revoke_token(Token=tokens["RefreshToken"], ClientId=cid, **wrong)
    assert cognito.get_user(AccessToken=tokens["AccessToken"])["Username"] == "alice"
    cognito.revoke_token(Token=tokens["RefreshToken"], ClientId=cid, ClientSecret=secret)
    refused(cognito, tokens["AccessToken"], "revoked")


def test_disabled_users_tokens_stop_working(cognito: Any, pool_id: str, client_id: str) -> None:
    confirmed_user(cognito, pool_id)
    tokens = sign_in(cognito, client_id)
    cognito.admin_disable_user(UserPoolId=pool_id, Username="alice")
    refused(cognito, tokens["AccessToken"])
    refresh_refused(cognito, client_id, tokens["RefreshToken"])
    # Disabling revoked them: enabling the user again does not bring them back.
    cognito.admin_enable_user(UserPoolId=pool_id, Username="alice")
    refused(cognito, tokens["AccessToken"])
    refresh_refused(cognito, client_id, tokens["RefreshToken"])
    assert cognito.get_user(AccessToken=sign_in(cognito, client_id)["AccessToken"])["Username"] == "alice"


@pytest.mark.parametrize("how", ["self", "admin"])
def test_deleted_users_tokens_stop_working(cognito: Any, pool_id: str, client_id: str, how: str) -> None:
    confirmed_user(cognito, pool_id)
    tokens = sign_in(cognito, client_id)
    spare = sign_in(cognito, client_id)["AccessToken"]
    if how == "self":
        cognito.delete_user(AccessToken=tokens["AccessToken"])
    else:
        cognito.admin_delete_user(UserPoolId=pool_id, Username="alice")
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.get_user(AccessToken=spare)
    with pytest.raises((cognito.exceptions.NotAuthorizedException, cognito.exceptions.UserNotFoundException)):
        cognito.global_sign_out(AccessToken=spare)
    with pytest.raises((cognito.exceptions.NotAuthorizedException, cognito.exceptions.UserNotFoundException)):
        refresh(cognito, client_id, tokens["RefreshToken"])
    # A new user of the same name is not reached by the old tokens.
    confirmed_user(cognito, pool_id)
    with pytest.raises((cognito.exceptions.NotAuthorizedException, cognito.exceptions.UserNotFoundException)):
        cognito.get_user(AccessToken=spare)
    with pytest.raises((cognito.exceptions.NotAuthorizedException, cognito.exceptions.UserNotFoundException)):
        refresh(cognito, client_id, tokens["RefreshToken"])


@pytest.mark.parametrize("call", [
    lambda c, t: c.get_user(AccessToken=t),
    lambda c, t: c.update_user_attributes(AccessToken=t, UserAttributes=[{"Name": "name", "Value": "x"}]),
    lambda c, t: c.delete_user_attributes(AccessToken=t, UserAttributeNames=["name"]),
    lambda c, t: c.change_password(AccessToken=t, PreviousPassword=PASSWORD, ProposedPassword="Changed123"),
    lambda c, t: c.global_sign_out(AccessToken=t),
    lambda c, t: c.delete_user(AccessToken=t),
])
def test_revoked_access_token_is_refused_everywhere(cognito: Any, pool_id: str, client_id: str, call: Any) -> None:
    confirmed_user(cognito, pool_id, name="Alice")
    token = sign_in(cognito, client_id)["AccessToken"]
    cognito.admin_user_global_sign_out(UserPoolId=pool_id, Username="alice")
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="Access Token has been revoked"):
        call(cognito, token)
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="alice")
    assert {"Name": "name", "Value": "Alice"} in user["UserAttributes"]
    assert sign_in(cognito, client_id)["AccessToken"]  # the password did not change


# -- forged tokens ---------------------------------------------------------------------------------


ALG_NONE = b'{"alg":"none"}'
ALG_HS256 = b'{"alg":"HS256","typ":"JWT"}'


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _forge(token: str, how: str, jwks_pem: bytes) -> str:
    head, body, sig = token.split(".")
    payload = claims(token)
    if how == "payload changed, signature kept":
        payload["username"] = "mallory"
        return f"{head}.{_b64(json.dumps(payload).encode())}.{sig}"
    if how == "alg none":
        return f"{_b64(ALG_NONE)}.{body}."
    if how == "HS256 keyed with the public key":
        # Algorithm confusion: a verifier that let the header pick the algorithm would
        # take the (public) RSA key as an HMAC secret.
        signing_input = f"{_b64(ALG_HS256)}.{body}".encode()
        mac = hmac.new(jwks_pem, signing_input, hashlib.sha256).digest()
        return f"{signing_input.decode()}.{_b64(mac)}"
    if how == "signature of another token":
        return f"{head}.{body}.{sig[:-4]}AAAA"
    if how == "padding added":
        return f"{head}.{body}=.{sig}"
    raise AssertionError(how)


@pytest.mark.parametrize("how", ["payload changed, signature kept", "alg none", "HS256 keyed with the public key",
                                 "signature of another token", "padding added"])
def test_forged_access_tokens_are_refused(cognito: Any, server: LiveServer, pool_id: str, client_id: str,
                                          how: str) -> None:
    confirmed_user(cognito, pool_id)
    token = sign_in(cognito, client_id)["AccessToken"]
    jwk = jwt.PyJWKSet.from_dict(httpx.get(f"{server.url}/{pool_id}/.well-known/jwks.json").json()).keys[0]
    from cryptography.hazmat.primitives import serialization

    pem = jwk.key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    refused(cognito, _forge(token, how, pem), match="Invalid Access Token")
    assert cognito.get_user(AccessToken=token)["Username"] == "alice"


@pytest.mark.parametrize("token", ["a.b.c", "x" * 40, "e30.e30.", "W10.W10.AAAA", "e30.e30.e30.e30",
                                   "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.AAAA", "eyJhbGciOiJSUzI1NiJ9.e30.A"])
def test_malformed_access_tokens_are_refused(cognito: Any, token: str) -> None:
    refused(cognito, token, match="Invalid Access Token")


def test_an_access_token_outside_the_models_alphabet_is_a_validation_error(cognito: Any) -> None:
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="accessToken"):
        cognito.get_user(AccessToken="\u00e9.\u00e9.\u00e9")
