"""Identities and their credentials, with real boto3 (unsigned where Cognito leaves the
call unsigned): guests, users of a user pool signing in with their ID tokens (really
checked: forged, expired, revoked and wrong-audience tokens refused), the identity id a
guest keeps when it signs in, roles and role mappings, OpenID tokens verified against
the JWKS the emulator serves, developer identities, and the identity listings."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import boto3
import httpx
import jwt
import pytest
from botocore import UNSIGNED
from botocore.config import Config

from .conftest import LiveServer, confirmed_user, sign_in, start_server
from .shapes import ResponseRecorder

ACCOUNT = "arn:aws:iam::123456789012:role"
ROLES = {"authenticated": f"{ACCOUNT}/auth", "unauthenticated": f"{ACCOUNT}/guest"}


def unsigned_client(server: LiveServer) -> Any:
    client = boto3.client("cognito-identity", endpoint_url=server.url, region_name="us-east-1",
                          config=Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1}))
    ResponseRecorder.instance().attach(client)
    return client


@pytest.fixture(scope="module")
def identity(server: LiveServer) -> Any:
    return server.client("cognito-identity")


@pytest.fixture(scope="module")
def public(server: LiveServer) -> Any:
    return unsigned_client(server)


def provider(pool_id: str) -> str:
    return f"cognito-idp.us-east-1.amazonaws.com/{pool_id}"


def make_pool(identity: Any, pool_id: str, client_id: str, *, guests: bool = True, check: bool = False,
              **extra: Any) -> str:
    made = identity.create_identity_pool(
        IdentityPoolName="app", AllowUnauthenticatedIdentities=guests,
        CognitoIdentityProviders=[{"ProviderName": provider(pool_id), "ClientId": client_id,
                                   "ServerSideTokenCheck": check}], **extra)
    identity.set_identity_pool_roles(IdentityPoolId=made["IdentityPoolId"], Roles=ROLES)
    return str(made["IdentityPoolId"])


def role_of(creds: dict[str, Any]) -> str:
    return str(json.loads(base64.b64decode(creds["Credentials"]["SessionToken"]))["role"])


def id_token(cognito: Any, pool_id: str, client_id: str, username: str = "alice") -> str:
    if not any(u["Username"] == username for u in cognito.list_users(UserPoolId=pool_id)["Users"]):
        confirmed_user(cognito, pool_id, username)
    return str(sign_in(cognito, client_id, username)["IdToken"])


def test_guest_gets_credentials_shaped_as_sts_issues_them(server: LiveServer, identity: Any, public: Any,
                                                           pool_id: str, client_id: str) -> None:
    idp = make_pool(identity, pool_id, client_id)
    guest = public.get_id(IdentityPoolId=idp)["IdentityId"]
    assert guest.startswith("us-east-1:") and guest != public.get_id(IdentityPoolId=idp)["IdentityId"]
    before = int(server.clock.now())
    creds = public.get_credentials_for_identity(IdentityId=guest)
    after = int(server.clock.now())
    c = creds["Credentials"]
    assert creds["IdentityId"] == guest and c["AccessKeyId"].startswith("ASIA") and len(c["AccessKeyId"]) == 20
    assert len(c["SecretKey"]) == 40 and c["SessionToken"]
    assert isinstance(c["Expiration"], datetime)
    assert before + 3600 <= c["Expiration"].timestamp() <= after + 3600
    assert role_of(creds) == ROLES["unauthenticated"]


def test_no_guests_unless_the_pool_allows_them(identity: Any, public: Any, pool_id: str, client_id: str) -> None:
    idp = make_pool(identity, pool_id, client_id, guests=False)
    with pytest.raises(public.exceptions.NotAuthorizedException, match="Unauthenticated access is not supported"):
        public.get_id(IdentityPoolId=idp)


def test_same_user_same_identity_and_the_authenticated_role(cognito: Any, identity: Any, public: Any,
                                                            pool_id: str, client_id: str) -> None:
    idp = make_pool(identity, pool_id, client_id, guests=False)
    logins = {provider(pool_id): id_token(cognito, pool_id, client_id)}
    first = public.get_id(IdentityPoolId=idp, Logins=logins)["IdentityId"]
    again = {provider(pool_id): id_token(cognito, pool_id, client_id)}  # a new sign-in, a new token
    assert public.get_id(IdentityPoolId=idp, Logins=again)["IdentityId"] == first
    creds = public.get_credentials_for_identity(IdentityId=first, Logins=again)
    assert creds["IdentityId"] == first and role_of(creds) == ROLES["authenticated"]
    # An authenticated identity needs its logins.
    with pytest.raises(public.exceptions.NotAuthorizedException, match="Logins don't match"):
        public.get_credentials_for_identity(IdentityId=first)
    assert identity.describe_identity(IdentityId=first)["Logins"] == [provider(pool_id)]


def test_the_emulators_own_issuer_form_is_a_login_key_too(server: LiveServer, cognito: Any, identity: Any,
                                                         public: Any, pool_id: str, client_id: str) -> None:
    idp = make_pool(identity, pool_id, client_id)
    token = id_token(cognito, pool_id, client_id)
    own_key = server.url.split("://", 1)[1] + "/" + pool_id
    by_own = public.get_id(IdentityPoolId=idp, Logins={own_key: token})["IdentityId"]
    assert public.get_id(IdentityPoolId=idp, Logins={provider(pool_id): token})["IdentityId"] == by_own


def test_a_guest_that_signs_in_keeps_its_id(cognito: Any, identity: Any, public: Any, pool_id: str,
                                            client_id: str) -> None:
    idp = make_pool(identity, pool_id, client_id)
    guest = public.get_id(IdentityPoolId=idp)["IdentityId"]
    assert role_of(public.get_credentials_for_identity(IdentityId=guest)) == ROLES["unauthenticated"]
    logins = {provider(pool_id): id_token(cognito, pool_id, client_id)}
    creds = public.get_credentials_for_identity(IdentityId=guest, Logins=logins)
    assert creds["IdentityId"] == guest and role_of(creds) == ROLES["authenticated"]
    assert public.get_id(IdentityPoolId=idp, Logins=logins)["IdentityId"] == guest
    # A second guest of the same user is merged into the user's identity, and goes.
    second = public.get_id(IdentityPoolId=idp)["IdentityId"]
    assert public.get_credentials_for_identity(IdentityId=second, Logins=logins)["IdentityId"] == guest
    with pytest.raises(identity.exceptions.ResourceNotFoundException):
        identity.describe_identity(IdentityId=second)


def test_forged_foreign_and_access_tokens_are_refused(cognito: Any, identity: Any, public: Any, pool_id: str,
                                                      client_id: str) -> None:
    idp = make_pool(identity, pool_id, client_id)
    token = id_token(cognito, pool_id, client_id)
    head, body, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["sub"] = "someone-else"
    forged_body = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    other_pool = cognito.create_user_pool(PoolName="other")["UserPool"]["Id"]
    other_client = cognito.create_user_pool_client(UserPoolId=other_pool, ClientName="c",
                                                   ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH",
                                                                      "ALLOW_REFRESH_TOKEN_AUTH"])
    foreign = id_token(cognito, other_pool, other_client["UserPoolClient"]["ClientId"], "bob")
    access = sign_in(cognito, client_id)["AccessToken"]
    for key, bad in [(provider(pool_id), f"{head}.{forged_body}.{sig}"), (provider(pool_id), "not-a-jwt"),
                     (provider(pool_id), foreign), (provider(pool_id), access)]:
        with pytest.raises(public.exceptions.NotAuthorizedException, match="Invalid login token"):
            public.get_id(IdentityPoolId=idp, Logins={key: bad})
    with pytest.raises(public.exceptions.NotAuthorizedException, match="not from a supported provider"):
        public.get_id(IdentityPoolId=idp, Logins={provider(other_pool): foreign})


def test_expired_tokens_are_refused(server: LiveServer, cognito: Any, identity: Any, public: Any,
                                    pool_id: str, client_id: str) -> None:
    idp = make_pool(identity, pool_id, client_id)
    logins = {provider(pool_id): id_token(cognito, pool_id, client_id)}
    public.get_id(IdentityPoolId=idp, Logins=logins)
    server.clock.advance(3601)
    with pytest.raises(public.exceptions.NotAuthorizedException, match="Token expired"):
        public.get_id(IdentityPoolId=idp, Logins=logins)


def test_wrong_audience_is_refused(cognito: Any, identity: Any, public: Any, pool_id: str, client_id: str) -> None:
    other = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="unlisted",
                                            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    idp = make_pool(identity, pool_id, client_id)
    token = id_token(cognito, pool_id, other["UserPoolClient"]["ClientId"])
    with pytest.raises(public.exceptions.NotAuthorizedException, match="Incorrect token audience"):
        public.get_id(IdentityPoolId=idp, Logins={provider(pool_id): token})


def test_server_side_token_check_refuses_signed_out_and_disabled_users(cognito: Any, identity: Any, public: Any,
                                                                      pool_id: str, client_id: str) -> None:
    checked = make_pool(identity, pool_id, client_id, check=True)
    unchecked = make_pool(identity, pool_id, client_id, check=False)
    logins = {provider(pool_id): id_token(cognito, pool_id, client_id)}
    public.get_id(IdentityPoolId=checked, Logins=logins)
    cognito.admin_user_global_sign_out(UserPoolId=pool_id, Username="alice")
    with pytest.raises(public.exceptions.NotAuthorizedException, match="revoked"):
        public.get_id(IdentityPoolId=checked, Logins=logins)
    # Without the check the token's signature and expiry are all that count.
    public.get_id(IdentityPoolId=unchecked, Logins=logins)
    fresh = {provider(pool_id): id_token(cognito, pool_id, client_id)}
    public.get_id(IdentityPoolId=checked, Logins=fresh)
    cognito.admin_disable_user(UserPoolId=pool_id, Username="alice")
    with pytest.raises(public.exceptions.NotAuthorizedException, match="revoked"):
        public.get_id(IdentityPoolId=checked, Logins=fresh)
    cognito.admin_delete_user(UserPoolId=pool_id, Username="alice")
    with pytest.raises(public.exceptions.NotAuthorizedException, match="revoked"):
        public.get_id(IdentityPoolId=checked, Logins=fresh)


def test_server_side_token_check_refuses_a_revoked_token_family(cognito: Any, identity: Any, public: Any,
                                                                pool_id: str, client_id: str) -> None:
    checked = make_pool(identity, pool_id, client_id, check=True)
    confirmed_user(cognito, pool_id, "alice")
    tokens = sign_in(cognito, client_id)
    other = {provider(pool_id): sign_in(cognito, client_id)["IdToken"]}  # a second sign-in, not revoked
    logins = {provider(pool_id): tokens["IdToken"]}
    public.get_id(IdentityPoolId=checked, Logins=logins)
    cognito.revoke_token(Token=tokens["RefreshToken"], ClientId=client_id)
    with pytest.raises(public.exceptions.NotAuthorizedException, match="revoked"):
        public.get_credentials_for_identity(
            IdentityId=public.get_id(IdentityPoolId=checked, Logins=other)["IdentityId"], Logins=logins)
    public.get_id(IdentityPoolId=checked, Logins=other)


def test_identity_pools_are_apart_by_region(server: LiveServer, identity: Any) -> None:
    europe = server.client("cognito-identity", region="eu-west-1")
    pool = europe.create_identity_pool(IdentityPoolName="eu", AllowUnauthenticatedIdentities=False)
    assert pool["IdentityPoolId"].startswith("eu-west-1:")
    assert europe.describe_identity_pool(IdentityPoolId=pool["IdentityPoolId"])["IdentityPoolName"] == "eu"
    with pytest.raises(identity.exceptions.ResourceNotFoundException):
        identity.describe_identity_pool(IdentityPoolId=pool["IdentityPoolId"])
    listed = identity.list_identity_pools(MaxResults=60)["IdentityPools"]
    assert pool["IdentityPoolId"] not in {p["IdentityPoolId"] for p in listed}


def test_token_role_mapping_follows_the_groups_roles(cognito: Any, identity: Any, public: Any, pool_id: str,
                                                     client_id: str) -> None:
    idp = make_pool(identity, pool_id, client_id)
    cognito.create_group(UserPoolId=pool_id, GroupName="admins", RoleArn=f"{ACCOUNT}/admin", Precedence=1)
    cognito.create_group(UserPoolId=pool_id, GroupName="staff", RoleArn=f"{ACCOUNT}/staff", Precedence=2)
    confirmed_user(cognito, pool_id, "alice")
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="admins")
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username="alice", GroupName="staff")
    confirmed_user(cognito, pool_id, "carol")
    key = f"{provider(pool_id)}:{client_id}"
    identity.set_identity_pool_roles(IdentityPoolId=idp, Roles=ROLES, RoleMappings={
        key: {"Type": "Token", "AmbiguousRoleResolution": "Deny"}})
    alice = {provider(pool_id): id_token(cognito, pool_id, client_id, "alice")}
    alice_id = public.get_id(IdentityPoolId=idp, Logins=alice)["IdentityId"]
    assert role_of(public.get_credentials_for_identity(IdentityId=alice_id, Logins=alice)) == f"{ACCOUNT}/admin"
    chosen = public.get_credentials_for_identity(IdentityId=alice_id, Logins=alice, CustomRoleArn=f"{ACCOUNT}/staff")
    assert role_of(chosen) == f"{ACCOUNT}/staff"
    carol = {provider(pool_id): id_token(cognito, pool_id, client_id, "carol")}
    carol_id = public.get_id(IdentityPoolId=idp, Logins=carol)["IdentityId"]
    with pytest.raises(public.exceptions.NotAuthorizedException):
        public.get_credentials_for_identity(IdentityId=carol_id, Logins=carol)
    identity.set_identity_pool_roles(IdentityPoolId=idp, Roles=ROLES, RoleMappings={
        key: {"Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"}})
    assert role_of(public.get_credentials_for_identity(IdentityId=carol_id, Logins=carol)) == ROLES["authenticated"]


def test_rules_role_mapping_matches_claims(cognito: Any, identity: Any, public: Any, pool_id: str,
                                          client_id: str) -> None:
    idp = make_pool(identity, pool_id, client_id)
    confirmed_user(cognito, pool_id, "dave", email="dave@corp.example")
    rules = [{"Claim": "email", "MatchType": "Contains", "Value": "@corp.", "RoleARN": f"{ACCOUNT}/corp"},
             {"Claim": "cognito:username", "MatchType": "StartsWith", "Value": "d", "RoleARN": f"{ACCOUNT}/d"}]
    identity.set_identity_pool_roles(IdentityPoolId=idp, Roles=ROLES, RoleMappings={
        f"{provider(pool_id)}:{client_id}": {"Type": "Rules", "AmbiguousRoleResolution": "AuthenticatedRole",
                                             "RulesConfiguration": {"Rules": rules}}})
    dave = {provider(pool_id): id_token(cognito, pool_id, client_id, "dave")}
    dave_id = public.get_id(IdentityPoolId=idp, Logins=dave)["IdentityId"]
    assert role_of(public.get_credentials_for_identity(IdentityId=dave_id, Logins=dave)) == f"{ACCOUNT}/corp"
    alice = {provider(pool_id): id_token(cognito, pool_id, client_id, "alice")}
    alice_id = public.get_id(IdentityPoolId=idp, Logins=alice)["IdentityId"]
    assert role_of(public.get_credentials_for_identity(IdentityId=alice_id, Logins=alice)) == ROLES["authenticated"]


def test_missing_role_is_a_configuration_error(identity: Any, public: Any, pool_id: str, client_id: str) -> None:
    idp = make_pool(identity, pool_id, client_id)
    identity.set_identity_pool_roles(IdentityPoolId=idp, Roles={"authenticated": ROLES["authenticated"]})
    guest = public.get_id(IdentityPoolId=idp)["IdentityId"]
    with pytest.raises(public.exceptions.InvalidIdentityPoolConfigurationException):
        public.get_credentials_for_identity(IdentityId=guest)


def test_open_id_tokens_verify_against_the_served_jwks(server: LiveServer, cognito: Any, identity: Any,
                                                       public: Any, pool_id: str, client_id: str) -> None:
    enhanced_only = make_pool(identity, pool_id, client_id)
    someone = public.get_id(IdentityPoolId=enhanced_only)["IdentityId"]
    with pytest.raises(public.exceptions.InvalidParameterException, match="classic"):
        public.get_open_id_token(IdentityId=someone)
    idp = make_pool(identity, pool_id, client_id, AllowClassicFlow=True)
    guest = public.get_id(IdentityPoolId=idp)["IdentityId"]
    before = int(server.clock.now())
    got = public.get_open_id_token(IdentityId=guest)
    config = httpx.get(f"{server.url}/cognito-identity/.well-known/openid-configuration").json()
    jwks = httpx.get(config["jwks_uri"]).json()
    key = jwt.PyJWK(jwks["keys"][0])
    claims = jwt.decode(got["Token"], key.key, algorithms=["RS256"], audience=idp, issuer=config["issuer"],
                        options={"verify_exp": False, "verify_iat": False})
    assert claims["sub"] == guest and claims["amr"] == ["unauthenticated"]
    assert claims["exp"] - claims["iat"] == 600 and claims["iat"] >= before
    logins = {provider(pool_id): id_token(cognito, pool_id, client_id)}
    signed = public.get_open_id_token(IdentityId=guest, Logins=logins)
    claims = jwt.decode(signed["Token"], key.key, algorithms=["RS256"], audience=idp,
                        options={"verify_exp": False, "verify_iat": False})
    assert claims["amr"][:2] == ["authenticated", "cognito-idp.us-east-1.amazonaws.com"]
    assert signed["IdentityId"] == guest


def test_developer_identities(server: LiveServer, identity: Any, public: Any, pool_id: str, client_id: str) -> None:
    idp = make_pool(identity, pool_id, client_id, DeveloperProviderName="login.example")
    first = identity.get_open_id_token_for_developer_identity(IdentityPoolId=idp, Logins={"login.example": "u1"},
                                                              TokenDuration=1200)
    again = identity.get_open_id_token_for_developer_identity(IdentityPoolId=idp, Logins={"login.example": "u1"})
    assert first["IdentityId"] == again["IdentityId"]
    claims = jwt.decode(first["Token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 1200 and "login.example" in claims["amr"]
    creds = public.get_credentials_for_identity(IdentityId=first["IdentityId"],
                                                Logins={"cognito-identity.amazonaws.com": first["Token"]})
    assert role_of(creds) == ROLES["authenticated"]
    found = identity.lookup_developer_identity(IdentityPoolId=idp, DeveloperUserIdentifier="u1", MaxResults=10)
    assert found["IdentityId"] == first["IdentityId"] and found["DeveloperUserIdentifierList"] == ["u1"]
    second = identity.get_open_id_token_for_developer_identity(IdentityPoolId=idp, Logins={"login.example": "u2"})
    with pytest.raises(identity.exceptions.DeveloperUserAlreadyRegisteredException):
        identity.get_open_id_token_for_developer_identity(IdentityPoolId=idp, IdentityId=second["IdentityId"],
                                                          Logins={"login.example": "u1"})
    merged = identity.merge_developer_identities(IdentityPoolId=idp, DeveloperProviderName="login.example",
                                                 SourceUserIdentifier="u2", DestinationUserIdentifier="u1")
    assert merged["IdentityId"] == first["IdentityId"]
    found = identity.lookup_developer_identity(IdentityPoolId=idp, IdentityId=first["IdentityId"], MaxResults=10)
    assert found["DeveloperUserIdentifierList"] == ["u1", "u2"]
    identity.unlink_developer_identity(IdentityPoolId=idp, IdentityId=first["IdentityId"],
                                       DeveloperProviderName="login.example", DeveloperUserIdentifier="u2")
    with pytest.raises(identity.exceptions.ResourceNotFoundException):
        identity.lookup_developer_identity(IdentityPoolId=idp, DeveloperUserIdentifier="u2", MaxResults=10)
    # The merged-away identity is gone: its token names nothing.
    with pytest.raises(public.exceptions.ResourceNotFoundException):
        public.get_id(IdentityPoolId=idp, Logins={"cognito-identity.amazonaws.com": second["Token"]})
    # Another pool's OpenID token is no login here.
    other = make_pool(identity, pool_id, client_id, DeveloperProviderName="login.example")
    with pytest.raises(public.exceptions.NotAuthorizedException):
        public.get_id(IdentityPoolId=other, Logins={"cognito-identity.amazonaws.com": first["Token"]})


def test_list_describe_unlink_and_delete_identities(cognito: Any, identity: Any, public: Any, pool_id: str,
                                                    client_id: str) -> None:
    idp = make_pool(identity, pool_id, client_id)
    guest = public.get_id(IdentityPoolId=idp)["IdentityId"]
    logins = {provider(pool_id): id_token(cognito, pool_id, client_id)}
    user = public.get_id(IdentityPoolId=idp, Logins=logins)["IdentityId"]
    listed = identity.list_identities(IdentityPoolId=idp, MaxResults=1)
    assert len(listed["Identities"]) == 1 and "NextToken" in listed
    rest = identity.list_identities(IdentityPoolId=idp, MaxResults=10, NextToken=listed["NextToken"])
    assert {i["IdentityId"] for i in listed["Identities"] + rest["Identities"]} == {guest, user}
    described = identity.describe_identity(IdentityId=user)
    assert described["Logins"] == [provider(pool_id)] and isinstance(described["CreationDate"], datetime)
    public.unlink_identity(IdentityId=user, Logins=logins, LoginsToRemove=[provider(pool_id)])
    assert identity.describe_identity(IdentityId=user)["Logins"] == []
    assert identity.delete_identities(IdentityIdsToDelete=[guest, user])["UnprocessedIdentityIds"] == []
    with pytest.raises(identity.exceptions.ResourceNotFoundException):
        identity.describe_identity(IdentityId=guest)


def test_identity_pools_are_in_snapshots(own_server: LiveServer) -> None:
    """Taken from a server of its own (the shared one's whole state is large), cleared by a
    reset, and put back."""
    cognito, identity = own_server.client(), own_server.client("cognito-identity")
    pool_id = cognito.create_user_pool(PoolName="snap")["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="c")["UserPoolClient"]["ClientId"]
    idp = make_pool(identity, pool_id, client_id)
    guest = unsigned_client(own_server).get_id(IdentityPoolId=idp)["IdentityId"]
    jwks = httpx.get(f"{own_server.url}/cognito-identity/.well-known/jwks_uri").json()  # makes the identity key
    snapshot = httpx.get(f"{own_server.url}/_emulator/snapshot", timeout=60).json()
    assert idp in {row["id"] for row in snapshot["tables"]["identity_pools"]}
    assert "cognito-identity" in snapshot["keys"]
    own_server.reset()
    with pytest.raises(identity.exceptions.ResourceNotFoundException):
        identity.describe_identity(IdentityId=guest)
    httpx.put(f"{own_server.url}/_emulator/snapshot", json=snapshot, timeout=60).raise_for_status()
    assert identity.describe_identity(IdentityId=guest)["IdentityId"] == guest
    assert identity.get_identity_pool_roles(IdentityPoolId=idp)["Roles"] == ROLES
    assert httpx.get(f"{own_server.url}/cognito-identity/.well-known/jwks_uri").json() == jwks


def test_an_sts_that_does_not_answer_is_an_external_service_error(tmp_path: Path) -> None:
    live = start_server(tmp_path, sts_endpoint="http://127.0.0.1:9")  # discard: nothing listens
    try:
        identity = live.client("cognito-identity")
        idp = identity.create_identity_pool(IdentityPoolName="x", AllowUnauthenticatedIdentities=True)
        identity.set_identity_pool_roles(IdentityPoolId=idp["IdentityPoolId"], Roles=ROLES)
        public = unsigned_client(live)
        guest = public.get_id(IdentityPoolId=idp["IdentityPoolId"])["IdentityId"]
        with pytest.raises(public.exceptions.ExternalServiceException, match="did not answer"):
            public.get_credentials_for_identity(IdentityId=guest)
    finally:
        live.stop()
