"""USER_SRP_AUTH proven by two independent real clients: pycognito (Python) and
amazon-cognito-identity-js (Node), each also refused with a wrong password."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import jwt
import pytest
from pycognito.aws_srp import AWSSRP

from .conftest import PASSWORD, LiveServer, confirmed_user


def js_sign_in(js: Path, server: LiveServer, pool_id: str, client_id: str, username: str,
               password: str) -> dict[str, Any]:
    done = subprocess.run(
        ["node", str(js / "srp_sign_in.mjs"), server.url, pool_id, client_id, username, password],
        capture_output=True, text=True, timeout=60, check=True,
    )
    return json.loads(done.stdout)


@pytest.fixture
def srp_client_id(cognito: Any, pool_id: str) -> str:
    """A client created with no ExplicitAuthFlows: Cognito's default includes SRP."""
    return cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="web")["UserPoolClient"]["ClientId"]


def test_pycognito_signs_in_over_srp(cognito: Any, pool_id: str, srp_client_id: str) -> None:
    confirmed_user(cognito, pool_id, "alice", email="alice@example.com")
    srp = AWSSRP(username="alice", password=PASSWORD, pool_id=pool_id, client_id=srp_client_id, client=cognito)
    result = srp.authenticate_user()["AuthenticationResult"]
    claims = jwt.decode(result["IdToken"], options={"verify_signature": False})
    assert claims["cognito:username"] == "alice" and claims["aud"] == srp_client_id
    assert cognito.get_user(AccessToken=result["AccessToken"])["Username"] == "alice"


def test_pycognito_wrong_password_is_refused(cognito: Any, pool_id: str, srp_client_id: str) -> None:
    confirmed_user(cognito, pool_id, "alice")
    srp = AWSSRP(username="alice", password="Wrong-Passw0rd", pool_id=pool_id, client_id=srp_client_id,
                 client=cognito)
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="Incorrect username or password"):
        srp.authenticate_user()


def test_amazon_cognito_identity_js_signs_in_and_is_refused_a_wrong_password(
    node_clients: Path, server: LiveServer, cognito: Any, pool_id: str, srp_client_id: str
) -> None:
    confirmed_user(cognito, pool_id, "bob")
    ok = js_sign_in(node_clients, server, pool_id, srp_client_id, "bob", PASSWORD)
    assert ok["ok"] is True, ok
    assert jwt.decode(ok["idToken"], options={"verify_signature": False})["cognito:username"] == "bob"
    assert cognito.get_user(AccessToken=ok["accessToken"])["Username"] == "bob"
    refused = js_sign_in(node_clients, server, pool_id, srp_client_id, "bob", "Wrong-Passw0rd")
    assert refused == {"ok": False, "code": "NotAuthorizedException", "message": "Incorrect username or password."}


def test_srp_with_client_secret_needs_secret_hash(cognito: Any, pool_id: str) -> None:
    made = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="secret", GenerateSecret=True)
    client = made["UserPoolClient"]
    confirmed_user(cognito, pool_id, "carol")
    with_secret = AWSSRP(username="carol", password=PASSWORD, pool_id=pool_id, client_id=client["ClientId"],
                         client_secret=client["ClientSecret"], client=cognito)
    assert "AccessToken" in with_secret.authenticate_user()["AuthenticationResult"]
    without = AWSSRP(username="carol", password=PASSWORD, pool_id=pool_id, client_id=client["ClientId"],
                     client=cognito)
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="configured for secret"):
        without.authenticate_user()


def test_srp_challenge_carries_the_real_username_and_expires(
    server: LiveServer, cognito: Any, pool_id: str, srp_client_id: str
) -> None:
    confirmed_user(cognito, pool_id, "dave")
    srp = AWSSRP(username="dave", password=PASSWORD, pool_id=pool_id, client_id=srp_client_id, client=cognito)
    challenge = cognito.initiate_auth(ClientId=srp_client_id, AuthFlow="USER_SRP_AUTH",
                                      AuthParameters=srp.get_auth_params())
    assert challenge["ChallengeName"] == "PASSWORD_VERIFIER"
    params = challenge["ChallengeParameters"]
    assert params["USER_ID_FOR_SRP"] == "dave" and set(params) >= {"SALT", "SRP_B", "SECRET_BLOCK"}
    server.clock.advance(3 * 60 + 1)  # AuthSessionValidity: 3 minutes
    answer = srp.process_challenge(params, srp.get_auth_params())
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="session is expired"):
        cognito.respond_to_auth_challenge(ClientId=srp_client_id, ChallengeName="PASSWORD_VERIFIER",
                                          ChallengeResponses=answer)


def test_srp_answer_is_single_use(cognito: Any, pool_id: str, srp_client_id: str) -> None:
    confirmed_user(cognito, pool_id, "erin")
    srp = AWSSRP(username="erin", password=PASSWORD, pool_id=pool_id, client_id=srp_client_id, client=cognito)
    challenge = cognito.initiate_auth(ClientId=srp_client_id, AuthFlow="USER_SRP_AUTH",
                                      AuthParameters=srp.get_auth_params())
    answer = srp.process_challenge(challenge["ChallengeParameters"], srp.get_auth_params())
    cognito.respond_to_auth_challenge(ClientId=srp_client_id, ChallengeName="PASSWORD_VERIFIER",
                                      ChallengeResponses=answer)
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.respond_to_auth_challenge(ClientId=srp_client_id, ChallengeName="PASSWORD_VERIFIER",
                                          ChallengeResponses=answer)


def test_srp_unknown_user_with_prevent_user_existence_errors(cognito: Any, pool_id: str) -> None:
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="quiet", PreventUserExistenceErrors="ENABLED",
    )["UserPoolClient"]["ClientId"]
    srp = AWSSRP(username="nobody", password=PASSWORD, pool_id=pool_id, client_id=client_id, client=cognito)
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="Incorrect username or password"):
        srp.authenticate_user()
    legacy = AWSSRP(username="nobody", password=PASSWORD, pool_id=pool_id, client_id=srp_client_id_of(cognito, pool_id),
                    client=cognito)
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        legacy.authenticate_user()


def srp_client_id_of(cognito: Any, pool_id: str) -> str:
    return cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="legacy")["UserPoolClient"]["ClientId"]


def test_srp_flow_must_be_enabled_on_the_client(cognito: Any, pool_id: str, client_id: str) -> None:
    confirmed_user(cognito, pool_id, "frank")
    srp = AWSSRP(username="frank", password=PASSWORD, pool_id=pool_id, client_id=client_id, client=cognito)
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="USER_SRP_AUTH"):
        srp.authenticate_user()


def test_srp_after_password_change_uses_the_new_password(cognito: Any, pool_id: str, srp_client_id: str) -> None:
    confirmed_user(cognito, pool_id, "gina")
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="gina", Password="N3wPassword", Permanent=True)
    fresh = AWSSRP(username="gina", password="N3wPassword", pool_id=pool_id, client_id=srp_client_id, client=cognito)
    assert "IdToken" in fresh.authenticate_user()["AuthenticationResult"]
    stale = AWSSRP(username="gina", password=PASSWORD, pool_id=pool_id, client_id=srp_client_id, client=cognito)
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        stale.authenticate_user()
