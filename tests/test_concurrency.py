"""API calls run in worker threads: concurrent calls on loopback (bounded in count) must
neither fail nor lose writes, and single-use secrets stay single-use under a race."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pyotp

from .conftest import PASSWORD, LiveServer, confirmed_user

THREADS = 8
PER_THREAD = 15


def test_concurrent_sign_ups_and_sign_ins_lose_nothing(server: LiveServer, cognito: Any, pool_id: str,
                                                       client_id: str) -> None:
    def work(t: int) -> int:
        idp = server.client()  # boto3 clients are not shared across threads
        for i in range(PER_THREAD):
            name = f"user-{t}-{i}"
            idp.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS")
            idp.admin_set_user_password(UserPoolId=pool_id, Username=name, Password=PASSWORD, Permanent=True)
            result = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                       AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD})
            assert idp.get_user(AccessToken=result["AuthenticationResult"]["AccessToken"])["Username"] == name
        return PER_THREAD

    with ThreadPoolExecutor(THREADS) as pool:
        done = sum(pool.map(work, range(THREADS)))
    users, token = [], None
    while True:
        page = cognito.list_users(UserPoolId=pool_id, **({"PaginationToken": token} if token else {}))
        users += page["Users"]
        token = page.get("PaginationToken")
        if not token:
            break
    assert done == len(users) == THREADS * PER_THREAD
    assert all(u["UserStatus"] == "CONFIRMED" for u in users)


def race(calls: list[Any]) -> list[Any]:
    """Run the calls at the same moment; each result is a value or the exception raised."""
    barrier = threading.Barrier(len(calls))

    def go(call: Any) -> Any:
        barrier.wait(timeout=10)
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - the outcome under test
            return exc

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(go, calls))


def test_one_totp_code_signs_in_once_even_when_raced(server: LiveServer, cognito: Any) -> None:
    pool_id = cognito.create_user_pool(PoolName="race")["UserPool"]["Id"]
    cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OPTIONAL",
                                     SoftwareTokenMfaConfiguration={"Enabled": True})
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app",
                                                ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
                                                )["UserPoolClient"]["ClientId"]
    confirmed_user(cognito, pool_id, "tia")
    access = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "tia", "PASSWORD": PASSWORD})["AuthenticationResult"]["AccessToken"]
    totp = pyotp.TOTP(cognito.associate_software_token(AccessToken=access)["SecretCode"])
    cognito.verify_software_token(AccessToken=access, UserCode=totp.at(server.clock.now()))
    server.clock.advance(90)  # a step the enrolment did not use
    sessions = [cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "tia", "PASSWORD": PASSWORD})["Session"] for _ in range(4)]
    code = totp.at(server.clock.now())
    clients = [server.client() for _ in sessions]
    outcomes = race([
        (lambda idp=idp, s=s: idp.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="SOFTWARE_TOKEN_MFA", Session=s,
            ChallengeResponses={"USERNAME": "tia", "SOFTWARE_TOKEN_MFA_CODE": code}))
        for idp, s in zip(clients, sessions, strict=True)
    ])
    signed_in = [o for o in outcomes if isinstance(o, dict)]
    assert len(signed_in) == 1, outcomes
    assert all(isinstance(o, cognito.exceptions.CodeMismatchException) for o in outcomes if o not in signed_in)


def test_one_challenge_answers_once_even_when_raced(server: LiveServer, cognito: Any, pool_id: str,
                                                    client_id: str) -> None:
    cognito.admin_create_user(UserPoolId=pool_id, Username="ned", TemporaryPassword=PASSWORD,
                              MessageAction="SUPPRESS")
    session = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "ned", "PASSWORD": PASSWORD})["Session"]
    clients = [server.client() for _ in range(4)]
    outcomes = race([
        (lambda idp=idp, n=n: idp.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="NEW_PASSWORD_REQUIRED", Session=session,
            ChallengeResponses={"USERNAME": "ned", "NEW_PASSWORD": f"N3wPassword{n}"}))
        for n, idp in enumerate(clients)
    ])
    winners = [n for n, o in enumerate(outcomes) if isinstance(o, dict)]
    assert len(winners) == 1, outcomes
    assert all(isinstance(o, cognito.exceptions.NotAuthorizedException) for o in outcomes
               if not isinstance(o, dict))
    # The password is the winner's: a losing answer wrote nothing.
    cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "ned", "PASSWORD": f"N3wPassword{winners[0]}"})
