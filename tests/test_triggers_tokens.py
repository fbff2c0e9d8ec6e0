"""Sign-in triggers through a live server: PreAuthentication, PostAuthentication and
PreTokenGeneration (V1_0 and V2_0), their events, the effect of their answers, and
that a failing one hands out no tokens."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jwt
import pytest
from pycognito.aws_srp import AWSSRP

from emulator.triggers.registry import Triggers

from .conftest import PASSWORD, LiveServer, confirmed_user
from .hosted import CALLBACK, Browser, authorize_params, oauth_client, oauth_pool, sign_in_for_code
from .outbox import HTTP, new_client, new_pool
from .test_triggers import Recorder, error_of


@pytest.fixture
def triggers(server: LiveServer) -> Iterator[Triggers]:
    yield server.triggers
    server.triggers.clear()


def claims(token: str) -> dict[str, Any]:
    return dict(jwt.decode(token, options={"verify_signature": False}))


def password_sign_in(cognito: Any, client: str, username: str = "alice", **extra: Any) -> dict[str, Any]:
    result: dict[str, Any] = cognito.initiate_auth(
        ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": PASSWORD}, **extra)
    return result


def setup(cognito: Any) -> tuple[str, str]:
    pool = new_pool(cognito)
    client = new_client(cognito, pool)
    confirmed_user(cognito, pool, "alice", email="alice@example.com", email_verified="true")
    return pool, client


# -- PreAuthentication / PostAuthentication --------------------------------------------------

def test_pre_authentication_sees_the_user_and_the_calls_metadata(cognito: Any, triggers: Triggers) -> None:
    pool, client = setup(cognito)
    fn = Recorder()
    triggers.set(pool, "PreAuthentication", fn)
    assert password_sign_in(cognito, client, ClientMetadata={"ip": "10.0.0.1"})["AuthenticationResult"]
    [event] = fn.events
    assert event["triggerSource"] == "PreAuthentication_Authentication"
    assert event["callerContext"]["clientId"] == client and event["userName"] == "alice"
    assert event["request"]["validationData"] == {"ip": "10.0.0.1"}
    seen = event["request"]["userAttributes"]
    assert seen["email"] == "alice@example.com" and seen["cognito:user_status"] == "CONFIRMED" and seen["sub"]


def test_a_failing_pre_authentication_refuses_the_sign_in(cognito: Any, server: LiveServer,
                                                        triggers: Triggers) -> None:
    pool, client = setup(cognito)
    triggers.set(pool, "PreAuthentication", Recorder(error="Blocked from this network"))
    with pytest.raises(cognito.exceptions.UserLambdaValidationException) as exc:
        password_sign_in(cognito, client)
    assert error_of(exc)[1] == "PreAuthentication failed with error Blocked from this network."
    # Over SRP too, before any challenge is opened.
    srp_client = cognito.create_user_pool_client(UserPoolId=pool, ClientName="srp")["UserPoolClient"]["ClientId"]
    srp = AWSSRP(username="alice", password=PASSWORD, pool_id=pool, client_id=srp_client, client=cognito)
    with pytest.raises(cognito.exceptions.UserLambdaValidationException):
        srp.authenticate_user()
    triggers.remove(pool, "PreAuthentication")
    assert password_sign_in(cognito, client)["AuthenticationResult"]


def test_post_authentication_follows_a_sign_in_and_its_failure_hands_out_no_tokens(
        cognito: Any, triggers: Triggers) -> None:
    pool, client = setup(cognito)
    fn = Recorder()
    triggers.set(pool, "PostAuthentication", fn)
    password_sign_in(cognito, client, ClientMetadata={"k": "v"})
    [event] = fn.events
    assert event["triggerSource"] == "PostAuthentication_Authentication"
    assert event["request"]["newDeviceUsed"] is False and event["request"]["clientMetadata"] == {"k": "v"}
    fn.error = "audit log unavailable"
    with pytest.raises(cognito.exceptions.UserLambdaValidationException) as exc:
        password_sign_in(cognito, client)
    assert error_of(exc)[1] == "PostAuthentication failed with error audit log unavailable."


# -- PreTokenGeneration V1_0 -----------------------------------------------------------------

def test_pre_token_generation_v1_changes_the_id_token_only(cognito: Any, triggers: Triggers) -> None:
    pool, client = setup(cognito)
    cognito.create_group(UserPoolId=pool, GroupName="staff", RoleArn="arn:aws:iam::123456789012:role/staff",
                         Precedence=1)
    cognito.admin_add_user_to_group(UserPoolId=pool, Username="alice", GroupName="staff")
    fn = Recorder({"claimsOverrideDetails": {
        "claimsToAddOrOverride": {"tenant": "acme", "email": "other@example.com", "sub": "forged",
                                  "iss": "https://evil", "token_use": "access", "cognito:username": "mallory"},
        "claimsToSuppress": ["email_verified", "aud", "exp"],
        "groupOverrideDetails": {"groupsToOverride": ["admins"],
                                 "iamRolesToOverride": ["arn:aws:iam::123456789012:role/admin"],
                                 "preferredRole": "arn:aws:iam::123456789012:role/admin"},
    }})
    triggers.set(pool, "PreTokenGeneration", fn)
    tokens = password_sign_in(cognito, client)["AuthenticationResult"]
    [event] = fn.events
    assert event["version"] == "1" and event["triggerSource"] == "TokenGeneration_Authentication"
    assert event["request"]["groupConfiguration"] == {
        "groupsToOverride": ["staff"], "iamRolesToOverride": ["arn:aws:iam::123456789012:role/staff"],
        "preferredRole": "arn:aws:iam::123456789012:role/staff"}
    assert "scopes" not in event["request"]
    id_token, access = claims(tokens["IdToken"]), claims(tokens["AccessToken"])
    assert id_token["tenant"] == "acme" and id_token["email"] == "other@example.com"
    assert "email_verified" not in id_token
    user = cognito.admin_get_user(UserPoolId=pool, Username="alice")
    sub = next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "sub")
    # What Cognito never lets a trigger change.
    assert id_token["sub"] == sub and id_token["token_use"] == "id" and id_token["aud"] == client
    assert id_token["cognito:username"] == "alice" and id_token["iss"] != "https://evil" and "exp" in id_token
    assert id_token["cognito:groups"] == ["admins"] and access["cognito:groups"] == ["admins"]
    assert id_token["cognito:roles"] == ["arn:aws:iam::123456789012:role/admin"]
    assert id_token["cognito:preferred_role"] == "arn:aws:iam::123456789012:role/admin"
    assert "tenant" not in access and access["token_use"] == "access"


def test_pre_token_generation_sources_refresh_and_new_password(cognito: Any, triggers: Triggers) -> None:
    pool, client = setup(cognito)
    fn = Recorder()
    triggers.set(pool, "PreTokenGeneration", fn)
    refresh = password_sign_in(cognito, client)["AuthenticationResult"]["RefreshToken"]
    cognito.initiate_auth(ClientId=client, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={"REFRESH_TOKEN": refresh})
    cognito.admin_create_user(UserPoolId=pool, Username="bob", TemporaryPassword="Temp0rary!",
                              MessageAction="SUPPRESS")
    challenge = cognito.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH",
                                      AuthParameters={"USERNAME": "bob", "PASSWORD": "Temp0rary!"})
    cognito.respond_to_auth_challenge(
        ClientId=client, ChallengeName="NEW_PASSWORD_REQUIRED", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "bob", "NEW_PASSWORD": PASSWORD}, ClientMetadata={"step": "new"})
    assert [e["triggerSource"] for e in fn.events] == [
        "TokenGeneration_Authentication", "TokenGeneration_RefreshTokens", "TokenGeneration_NewPasswordChallenge"]
    assert fn.events[2]["request"]["clientMetadata"] == {"step": "new"}


def test_a_failing_pre_token_generation_issues_no_tokens(cognito: Any, triggers: Triggers) -> None:
    pool, client = setup(cognito)
    before = cognito.admin_get_user(UserPoolId=pool, Username="alice")
    triggers.set(pool, "PreTokenGeneration", Recorder(error="no tenant for this user"))
    with pytest.raises(cognito.exceptions.UserLambdaValidationException) as exc:
        password_sign_in(cognito, client)
    assert error_of(exc)[1] == "PreTokenGeneration failed with error no tenant for this user."
    after = cognito.admin_get_user(UserPoolId=pool, Username="alice")
    assert after["UserLastModifiedDate"] == before["UserLastModifiedDate"]
    triggers.set(pool, "PreTokenGeneration", Recorder({"claimsOverrideDetails": {"claimsToSuppress": "email"}}))
    with pytest.raises(cognito.exceptions.InvalidLambdaResponseException):
        password_sign_in(cognito, client)


def test_a_user_disabled_while_pre_token_generation_runs_gets_no_tokens(cognito: Any, triggers: Triggers) -> None:
    """The tokens are signed on the thread that ran the function; the user is read again
    afterwards, and a user disabled meanwhile gets none of them."""
    pool, client = setup(cognito)

    def disable(event: dict[str, Any], context: Any) -> dict[str, Any]:
        cognito.admin_disable_user(UserPoolId=pool, Username="alice")
        return event
    triggers.set(pool, "PreTokenGeneration", disable)
    with pytest.raises(cognito.exceptions.NotAuthorizedException) as exc:
        password_sign_in(cognito, client)
    assert error_of(exc)[1] == "User is disabled."


# -- PreTokenGeneration V2_0 -----------------------------------------------------------------

def test_pre_token_generation_v2_changes_both_tokens_and_the_scopes(cognito: Any, triggers: Triggers) -> None:
    pool = new_pool(cognito, LambdaConfig={"PreTokenGenerationConfig": {
        "LambdaVersion": "V2_0", "LambdaArn": "arn:aws:lambda:us-east-1:123456789012:function:claims-v2"}})
    client = new_client(cognito, pool)
    confirmed_user(cognito, pool, "alice", email="alice@example.com")
    fn = Recorder({"claimsAndScopeOverrideDetails": {
        "idTokenGeneration": {"claimsToAddOrOverride": {"tenant": "acme"}, "claimsToSuppress": ["email"]},
        "accessTokenGeneration": {
            "claimsToAddOrOverride": {"tenant": "acme", "roles": ["reader", "writer"], "client_id": "forged"},
            "claimsToSuppress": ["username"],
            "scopesToAdd": ["orders/read"], "scopesToSuppress": ["aws.cognito.signin.user.admin"]},
    }})
    triggers.register("claims-v2", fn)
    tokens = password_sign_in(cognito, client)["AuthenticationResult"]
    [event] = fn.events
    assert event["version"] == "2" and event["request"]["scopes"] == ["aws.cognito.signin.user.admin"]
    id_token, access = claims(tokens["IdToken"]), claims(tokens["AccessToken"])
    assert id_token["tenant"] == "acme" and "email" not in id_token
    assert access["tenant"] == "acme" and access["roles"] == ["reader", "writer"]
    assert access["client_id"] == client and access["username"] == "alice"  # fixed claims stay
    assert access["scope"] == "orders/read"


def test_pre_token_generation_v2_from_the_hosted_ui(cognito: Any, server: LiveServer, triggers: Triggers) -> None:
    pool = oauth_pool(cognito)
    client = oauth_client(cognito, pool)
    confirmed_user(cognito, pool, "alice", email="alice@example.com", email_verified="true")
    fn = Recorder({"claimsAndScopeOverrideDetails": {"accessTokenGeneration": {"scopesToAdd": ["orders/read"]}}})
    triggers.set(pool, "PreTokenGeneration", fn, version="V2_0")
    code, browser = sign_in_for_code(server, client["ClientId"])
    browser.close()
    answer = HTTP.post(server.url + "/oauth2/token", data={
        "grant_type": "authorization_code", "client_id": client["ClientId"], "code": code,
        "redirect_uri": CALLBACK})
    assert answer.status_code == 200, answer.text
    [event] = fn.events
    assert event["triggerSource"] == "TokenGeneration_HostedAuth"
    assert set(event["request"]["scopes"]) == {"openid", "email"}
    assert set(claims(answer.json()["access_token"])["scope"].split()) == {"openid", "email", "orders/read"}


def test_the_hosted_ui_shows_a_trigger_failure_on_its_page(cognito: Any, server: LiveServer,
                                                          triggers: Triggers) -> None:
    pool = oauth_pool(cognito)
    client = oauth_client(cognito, pool)
    confirmed_user(cognito, pool, "alice", email="alice@example.com", email_verified="true")
    triggers.set(pool, "PreAuthentication", Recorder(error="Outside office hours"))
    browser = Browser(server.url)
    try:
        browser.get("/login", **authorize_params(client["ClientId"]))
        page = browser.submit(username="alice", password=PASSWORD)
        assert page.status_code == 400
        assert "PreAuthentication failed with error Outside office hours." in page.text
    finally:
        browser.close()
