"""The seed journeys of identity pools, end to end against the live server: the React
guide's guest who signs up, confirms, signs in and keeps its identity (boto3, with role
mappings), the Node guide's amazon-cognito-identity-js sign-in followed by
@aws-sdk/credential-providers' fromCognitoIdentityPool / fromCognitoIdentity, and
Amplify v6's fetchAuthSession() as a guest and after signIn."""

from __future__ import annotations

import base64
import json
import subprocess
from pathlib import Path
from typing import Any

from .conftest import PASSWORD, LiveServer, confirmed_user, sign_in
from .test_identity_credentials import ACCOUNT, ROLES, provider, role_of, unsigned_client


def test_react_guide_guest_signs_up_and_keeps_its_identity(server: LiveServer, cognito: Any) -> None:
    pool_id = cognito.create_user_pool(PoolName="react", UsernameAttributes=["email"],
                                       AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="web", ExplicitAuthFlows=[
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    cognito.create_group(UserPoolId=pool_id, GroupName="editors", RoleArn=f"{ACCOUNT}/editor")
    identity = server.client("cognito-identity")
    idp = identity.create_identity_pool(
        IdentityPoolName="react", AllowUnauthenticatedIdentities=True,
        CognitoIdentityProviders=[{"ProviderName": provider(pool_id), "ClientId": client_id}])["IdentityPoolId"]
    identity.set_identity_pool_roles(IdentityPoolId=idp, Roles=ROLES, RoleMappings={
        f"{provider(pool_id)}:{client_id}": {"Type": "Token", "AmbiguousRoleResolution": "AuthenticatedRole"}})
    public = unsigned_client(server)
    guest = public.get_id(IdentityPoolId=idp)["IdentityId"]
    assert role_of(public.get_credentials_for_identity(IdentityId=guest)) == ROLES["unauthenticated"]

    cognito.sign_up(ClientId=client_id, Username="erin@example.com", Password=PASSWORD,
                    UserAttributes=[{"Name": "email", "Value": "erin@example.com"}])
    code = server.last_code(userPoolId=pool_id)
    cognito.confirm_sign_up(ClientId=client_id, Username="erin@example.com", ConfirmationCode=code)
    tokens = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "erin@example.com", "PASSWORD": PASSWORD})["AuthenticationResult"]
    logins = {provider(pool_id): tokens["IdToken"]}
    creds = public.get_credentials_for_identity(IdentityId=guest, Logins=logins)
    assert creds["IdentityId"] == guest and role_of(creds) == ROLES["authenticated"]
    assert public.get_id(IdentityPoolId=idp, Logins=logins)["IdentityId"] == guest

    # In a group with a role, the Token mapping gives that role on the next sign-in.
    username = cognito.list_users(UserPoolId=pool_id)["Users"][0]["Username"]
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName="editors")
    fresh = cognito.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={
        "REFRESH_TOKEN": tokens["RefreshToken"]})["AuthenticationResult"]["IdToken"]
    again = public.get_credentials_for_identity(IdentityId=guest, Logins={provider(pool_id): fresh})
    assert again["IdentityId"] == guest and role_of(again) == f"{ACCOUNT}/editor"


def run_node(js: Path, *args: str) -> dict[str, Any]:
    out = subprocess.run(["node", str(js / "identity_credentials.mjs"), *args], capture_output=True, text=True,
                         timeout=60, check=True)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def test_node_guide_credentials_for_guest_and_signed_in_user(server: LiveServer, cognito: Any, pool_id: str,
                                                             node_clients: Path) -> None:
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="node", ExplicitAuthFlows=[
        "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    confirmed_user(cognito, pool_id, "alice")
    identity = server.client("cognito-identity")
    idp = identity.create_identity_pool(
        IdentityPoolName="node", AllowUnauthenticatedIdentities=True,
        CognitoIdentityProviders=[{"ProviderName": provider(pool_id), "ClientId": client_id,
                                   "ServerSideTokenCheck": True}])["IdentityPoolId"]
    identity.set_identity_pool_roles(IdentityPoolId=idp, Roles=ROLES)

    guest = run_node(node_clients, server.url, idp, "-")
    assert guest["ok"], guest
    assert guest["identityId"].startswith("us-east-1:") and guest["accessKeyId"].startswith("ASIA")
    session = json.loads(base64.b64decode(guest["sessionToken"]))
    assert session == {**session, "role": ROLES["unauthenticated"], "identity": guest["identityId"]}

    user = run_node(node_clients, server.url, idp, "-", pool_id, client_id, "alice", PASSWORD)
    assert user["ok"], user
    assert json.loads(base64.b64decode(user["sessionToken"]))["role"] == ROLES["authenticated"]
    again = run_node(node_clients, server.url, idp, "-", pool_id, client_id, "alice", PASSWORD)
    assert again["identityId"] == user["identityId"] != guest["identityId"]
    # A guest who signs in (fromCognitoIdentity with its id and the new logins) keeps its id.
    confirmed_user(cognito, pool_id, "bob")
    signed = run_node(node_clients, server.url, idp, guest["identityId"], pool_id, client_id, "bob", PASSWORD)
    assert signed["ok"], signed
    assert json.loads(base64.b64decode(signed["sessionToken"]))["identity"] == guest["identityId"]
    bob = run_node(node_clients, server.url, idp, "-", pool_id, client_id, "bob", PASSWORD)
    assert bob["identityId"] == guest["identityId"]


def test_amplify_v6_fetch_auth_session_as_guest_then_signed_in(server: LiveServer, cognito: Any, pool_id: str,
                                                               node_clients: Path) -> None:
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="amplify", ExplicitAuthFlows=[
        "ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    confirmed_user(cognito, pool_id, "alice")
    identity = server.client("cognito-identity")
    idp = identity.create_identity_pool(
        IdentityPoolName="amplify", AllowUnauthenticatedIdentities=True,
        CognitoIdentityProviders=[{"ProviderName": provider(pool_id), "ClientId": client_id}])["IdentityPoolId"]
    identity.set_identity_pool_roles(IdentityPoolId=idp, Roles=ROLES)
    out = subprocess.run(["node", str(node_clients / "amplify_session.mjs"), server.url, pool_id, client_id, idp,
                          "alice", PASSWORD], capture_output=True, text=True, timeout=90, check=True)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["ok"], result
    guest, user = result["guest"], result["user"]
    assert not guest["signedIn"] and guest["accessKeyId"].startswith("ASIA")
    assert json.loads(base64.b64decode(guest["sessionToken"]))["role"] == ROLES["unauthenticated"]
    assert user["signedIn"] and json.loads(base64.b64decode(user["sessionToken"]))["role"] == ROLES["authenticated"]
    # The same user signing in again (here with boto3) gets the same identity.
    token = sign_in(cognito, client_id)["IdToken"]
    public = unsigned_client(server)
    assert public.get_id(IdentityPoolId=idp, Logins={provider(pool_id): token})["IdentityId"] == user["identityId"]
    described = identity.describe_identity(IdentityId=user["identityId"])
    assert described["Logins"] == [provider(pool_id)]
