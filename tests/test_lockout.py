"""Cognito's lockout after failed sign-in attempts, with real clients against a live
server and the injected clock: five free failures, then a lockout of 2^(n-5) seconds
(at most 15 minutes) answered "Password attempts exceeded" on every password check
(USER_PASSWORD_AUTH, the admin flows, SRP, USER_AUTH, ChangePassword, the hosted
/login); wrong one-time codes counted the same way, and a challenge session spent
after three wrong codes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from botocore.exceptions import ClientError
from pycognito.aws_srp import AWSSRP

from .conftest import PASSWORD, LiveServer, confirmed_user
from .hosted import Browser, authorize_params, oauth_client
from .outbox import wrong
from .test_mfa import (
    EMAIL_ON,
    SMS_ON,
    TOTP_ON,
    enrol_totp,
    last_code,
    make_pool,
    make_user,
    password_auth,
)

WRONG_PASSWORD = "Wrong-Passw0rd"
OK = "ok"
INCORRECT = "NotAuthorizedException: Incorrect username or password."
LOCKED = "NotAuthorizedException: Password attempts exceeded"
MISMATCH = "CodeMismatchException: Invalid code received for user"
SPENT = "NotAuthorizedException: Invalid session for the user."
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH",
         "ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def outcome(attempt: Callable[[], Any]) -> str:
    """"ok", or the error as "Code: message"."""
    try:
        attempt()
    except ClientError as err:
        return f"{err.response['Error']['Code']}: {err.response['Error']['Message']}"
    return OK


@dataclass
class Target:
    """One user and the clients that sign them in."""

    server: LiveServer
    cognito: Any
    pool_id: str
    client_id: str
    username: str = "alice"
    extra: dict[str, Any] = field(default_factory=dict)


def pause_before(server: LiveServer, n: int) -> None:
    """Before the n-th failure: wait out the lockout the one before it began, if any."""
    if n > 5:
        server.clock.advance(2 ** (n - 6) + 0.5)


def build_up(server: LiveServer, attempt: Callable[[str], str], failures: int) -> None:
    """`failures` counted wrong passwords: five back to back, each later one once the
    lockout the one before it began is over."""
    for n in range(1, failures + 1):
        pause_before(server, n)
        assert attempt(WRONG_PASSWORD) == INCORRECT, n


# -- the password checks ------------------------------------------------------------------


def user_password(t: Target, password: str) -> str:
    return outcome(lambda: t.cognito.initiate_auth(
        ClientId=t.client_id, AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": t.username, "PASSWORD": password}))


def admin_flow(flow: str) -> Callable[[Target, str], str]:
    def attempt(t: Target, password: str) -> str:
        return outcome(lambda: t.cognito.admin_initiate_auth(
            UserPoolId=t.pool_id, ClientId=t.client_id, AuthFlow=flow,
            AuthParameters={"USERNAME": t.username, "PASSWORD": password}))
    return attempt


def srp(t: Target, password: str) -> str:
    client = AWSSRP(username=t.username, password=password, pool_id=t.pool_id, client_id=t.client_id,
                    client=t.cognito)
    return outcome(client.authenticate_user)


def user_auth_password(t: Target, password: str) -> str:
    return outcome(lambda: t.cognito.initiate_auth(
        ClientId=t.client_id, AuthFlow="USER_AUTH",
        AuthParameters={"USERNAME": t.username, "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": password}))


def user_auth_password_srp(t: Target, password: str) -> str:
    client = AWSSRP(username=t.username, password=password, pool_id=t.pool_id, client_id=t.client_id,
                    client=t.cognito)

    def attempt() -> None:
        params = client.get_auth_params()
        started = t.cognito.initiate_auth(ClientId=t.client_id, AuthFlow="USER_AUTH", AuthParameters={
            "USERNAME": t.username, "PREFERRED_CHALLENGE": "PASSWORD_SRP", "SRP_A": params["SRP_A"]})
        assert started["ChallengeName"] == "PASSWORD_VERIFIER"
        answer = client.process_challenge(started["ChallengeParameters"], params)
        done = t.cognito.respond_to_auth_challenge(ClientId=t.client_id, ChallengeName="PASSWORD_VERIFIER",
                                                   ChallengeResponses=answer)
        assert "AccessToken" in done["AuthenticationResult"]

    return outcome(attempt)


def change_password(t: Target, password: str) -> str:
    if "access" not in t.extra:
        t.extra["access"] = t.cognito.initiate_auth(
            ClientId=t.client_id, AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": t.username, "PASSWORD": PASSWORD})["AuthenticationResult"]["AccessToken"]
    return outcome(lambda: t.cognito.change_password(
        AccessToken=t.extra["access"], PreviousPassword=password, ProposedPassword=PASSWORD))


def hosted_login(t: Target, password: str) -> str:
    if "oauth" not in t.extra:
        t.extra["oauth"] = oauth_client(t.cognito, t.pool_id, AllowedOAuthScopes=["openid", "email"])["ClientId"]
    browser = Browser(t.server.url)
    try:
        page = browser.get("/login", **authorize_params(t.extra["oauth"]))
        assert page.status_code == 200, page.text
        page = browser.submit(username=t.username, password=password)
    finally:
        browser.close()
    if page.status_code == 302:
        return OK
    for said in (LOCKED, INCORRECT):
        if said.split(": ", 1)[1] in page.text:
            return said
    return f"page {page.status_code}"


PASSWORD_CHECKS: dict[str, Callable[[Target, str], str]] = {
    "USER_PASSWORD_AUTH": user_password,
    "ADMIN_USER_PASSWORD_AUTH": admin_flow("ADMIN_USER_PASSWORD_AUTH"),
    "ADMIN_NO_SRP_AUTH": admin_flow("ADMIN_NO_SRP_AUTH"),
    "USER_SRP_AUTH": srp,
    "USER_AUTH PASSWORD": user_auth_password,
    "USER_AUTH PASSWORD_SRP": user_auth_password_srp,
    "ChangePassword": change_password,
    "hosted /login": hosted_login,
}


@pytest.fixture
def target(server: LiveServer, cognito: Any, pool_id: str) -> Target:
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app",
                                                ExplicitAuthFlows=FLOWS)["UserPoolClient"]["ClientId"]
    confirmed_user(cognito, pool_id, "alice")
    return Target(server, cognito, pool_id, client_id)


@pytest.mark.parametrize("check", list(PASSWORD_CHECKS))
def test_wrong_passwords_lock_the_user_out(target: Target, check: str) -> None:
    attempt = PASSWORD_CHECKS[check]
    build_up(target.server, lambda p: attempt(target, p), 10)  # the tenth begins a 2^5 = 32 s lockout
    assert attempt(target, PASSWORD) == LOCKED  # even the right password
    target.server.clock.advance(20)
    # Refused unchecked, and neither counted nor extending the lockout.
    assert attempt(target, WRONG_PASSWORD) == LOCKED
    target.server.clock.advance(13)
    assert attempt(target, PASSWORD) == OK


def test_a_sign_in_resets_the_count_and_each_attempt_counts_once(target: Target) -> None:
    # Each wrong password is counted once, although the JSON edge runs the call twice
    # (the bcrypt check is made between the runs): counted twice, four would lock.
    build_up(target.server, lambda p: user_password(target, p), 4)
    assert user_password(target, PASSWORD) == OK
    build_up(target.server, lambda p: user_password(target, p), 4)  # from zero again: never locked
    assert user_password(target, PASSWORD) == OK


def test_fifteen_quiet_minutes_reset_the_count(target: Target) -> None:
    build_up(target.server, lambda p: user_password(target, p), 7)
    target.server.clock.advance(15 * 60)
    build_up(target.server, lambda p: user_password(target, p), 5)  # five free failures again
    target.server.clock.advance(1.5)  # the one-second lockout of the fifth
    assert user_password(target, PASSWORD) == OK


@pytest.mark.parametrize("check", ["USER_PASSWORD_AUTH", "USER_SRP_AUTH"])
def test_prevent_user_existence_errors_lock_out_unknown_names_alike(
        server: LiveServer, cognito: Any, pool_id: str, check: str) -> None:
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app", ExplicitAuthFlows=FLOWS,
                                                PreventUserExistenceErrors="ENABLED")["UserPoolClient"]["ClientId"]
    confirmed_user(cognito, pool_id, "alice")
    attempt = PASSWORD_CHECKS[check]
    heard: dict[str, list[str]] = {}
    for name in ("alice", "ghost"):
        t = Target(server, cognito, pool_id, client_id, username=name)
        said = []
        for n in range(1, 11):
            pause_before(server, n)
            said.append(attempt(t, WRONG_PASSWORD))
        said.append(attempt(t, WRONG_PASSWORD))
        heard[name] = said
    assert heard["alice"] == [INCORRECT] * 10 + [LOCKED]
    assert heard["ghost"] == heard["alice"]


# -- one-time codes -----------------------------------------------------------------------


@dataclass
class CodeSignIn:
    """A user whose sign-in asks for a one-time code: `start()` opens a challenge,
    `right()` is the code that answers it now."""

    server: LiveServer
    cognito: Any
    pool_id: str
    client_id: str
    challenge: str
    key: str
    start: Callable[[], dict[str, Any]]
    right: Callable[[], str]

    def answer(self, session: str, code: str) -> str:
        return outcome(lambda: self.cognito.respond_to_auth_challenge(
            ClientId=self.client_id, ChallengeName=self.challenge, Session=session,
            ChallengeResponses={"USERNAME": "mia", self.key: code}))

    def opened(self) -> str:
        started = self.start()
        assert started["ChallengeName"] == self.challenge, started
        return str(started["Session"])


def _sms_mfa(server: LiveServer, cognito: Any) -> CodeSignIn:
    pool_id, client_id = make_pool(cognito, "OPTIONAL", SmsMfaConfiguration=SMS_ON)
    make_user(cognito, pool_id, phone_number="+15555550123")
    cognito.admin_set_user_mfa_preference(UserPoolId=pool_id, Username="mia",
                                          SMSMfaSettings={"Enabled": True, "PreferredMfa": True})
    return CodeSignIn(server, cognito, pool_id, client_id, "SMS_MFA", "SMS_MFA_CODE",
                      lambda: password_auth(cognito, client_id), lambda: last_code(server, pool_id, "SMS"))


def _email_mfa(server: LiveServer, cognito: Any) -> CodeSignIn:
    pool_id, client_id = make_pool(cognito, "OPTIONAL", EmailMfaConfiguration=EMAIL_ON)
    make_user(cognito, pool_id, email="mia@example.com")
    cognito.admin_set_user_mfa_preference(UserPoolId=pool_id, Username="mia", EmailMfaSettings={"Enabled": True})
    return CodeSignIn(server, cognito, pool_id, client_id, "EMAIL_OTP", "EMAIL_OTP_CODE",
                      lambda: password_auth(cognito, client_id), lambda: last_code(server, pool_id, "EMAIL"))


def _totp_mfa(server: LiveServer, cognito: Any) -> CodeSignIn:
    pool_id, client_id = make_pool(cognito, "OPTIONAL", SoftwareTokenMfaConfiguration=TOTP_ON)
    make_user(cognito, pool_id)
    totp, access = enrol_totp(cognito, client_id)
    cognito.set_user_mfa_preference(AccessToken=access,
                                    SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    server.clock.advance(60)  # past the enrolment's code

    def right() -> str:
        return str(totp.at(server.clock.now()))

    return CodeSignIn(server, cognito, pool_id, client_id, "SOFTWARE_TOKEN_MFA", "SOFTWARE_TOKEN_MFA_CODE",
                      lambda: password_auth(cognito, client_id), right)


def _first_factor(name: str, attribute: str, value: str, channel: str) -> Callable[[LiveServer, Any], CodeSignIn]:
    def make(server: LiveServer, cognito: Any) -> CodeSignIn:
        pool_id, client_id = make_pool(cognito, "OFF")
        cognito.update_user_pool(UserPoolId=pool_id, Policies={"SignInPolicy": {
            "AllowedFirstAuthFactors": ["PASSWORD", name]}})
        make_user(cognito, pool_id, **{attribute: value, f"{attribute}_verified": "true"})

        def start() -> dict[str, Any]:
            return dict(cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_AUTH", AuthParameters={
                "USERNAME": "mia", "PREFERRED_CHALLENGE": name}))

        return CodeSignIn(server, cognito, pool_id, client_id, name, f"{name}_CODE", start,
                          lambda: last_code(server, pool_id, channel))
    return make


CODE_SIGN_INS: dict[str, Callable[[LiveServer, Any], CodeSignIn]] = {
    "SMS_MFA": _sms_mfa,
    "EMAIL_OTP as MFA": _email_mfa,
    "SOFTWARE_TOKEN_MFA": _totp_mfa,
    "USER_AUTH EMAIL_OTP": _first_factor("EMAIL_OTP", "email", "mia@example.com", "EMAIL"),
    "USER_AUTH SMS_OTP": _first_factor("SMS_OTP", "phone_number", "+15555550199", "SMS"),
}


@pytest.mark.parametrize("kind", list(CODE_SIGN_INS))
def test_a_session_is_spent_after_three_wrong_codes(server: LiveServer, cognito: Any, kind: str) -> None:
    s = CODE_SIGN_INS[kind](server, cognito)
    session = s.opened()
    for _ in range(3):
        assert s.answer(session, wrong(s.right())) == MISMATCH
    assert s.answer(session, s.right()) == SPENT
    assert s.answer(s.opened(), s.right()) == OK  # three failures do not lock the user out


@pytest.mark.parametrize("kind", list(CODE_SIGN_INS))
def test_wrong_codes_lock_the_user_out_across_sessions(server: LiveServer, cognito: Any, kind: str) -> None:
    s = CODE_SIGN_INS[kind](server, cognito)
    for n in range(1, 10):
        pause_before(server, n)
        assert s.answer(s.opened(), wrong(s.right())) == MISMATCH, n
    pause_before(server, 10)
    session = s.opened()
    assert s.answer(session, wrong(s.right())) == MISMATCH  # the tenth: locked out for 32 s
    assert s.answer(session, s.right()) == LOCKED
    server.clock.advance(33)
    assert s.answer(session, s.right()) == OK


def test_the_hosted_code_form_counts_wrong_codes(server: LiveServer, cognito: Any) -> None:
    s = _email_mfa(server, cognito)
    hosted = oauth_client(cognito, s.pool_id, AllowedOAuthScopes=["openid", "email"])
    browser = Browser(server.url)
    try:
        def to_code_page() -> None:
            browser.get("/login", **authorize_params(hosted["ClientId"]))
            browser.submit(username="mia", password=PASSWORD)
            assert browser.forms()[0].fields["challenge"] == "EMAIL_OTP", browser.title()

        to_code_page()
        for _ in range(2):
            page = browser.submit(code=wrong(s.right()))
            assert page.status_code == 400 and "Invalid code received for user" in page.text
            assert browser.forms()[0].fields["challenge"] == "EMAIL_OTP"
        page = browser.submit(code=wrong(s.right()))  # the third: the session is spent
        assert page.status_code == 400 and browser.title() == "Sign in" and "Sign in again." in page.text
        for n in range(4, 10):  # failures 4 to 9 through the API
            pause_before(server, n)
            assert s.answer(s.opened(), wrong(s.right())) == MISMATCH, n
        pause_before(server, 10)
        to_code_page()
        browser.submit(code=wrong(s.right()))  # the tenth
        page = browser.submit(code=s.right())
        assert page.status_code == 400 and "Password attempts exceeded" in page.text
    finally:
        browser.close()


def test_lockout_durations() -> None:
    """The schedule itself (a unit): free failures, doubling, and the 15-minute ceiling."""
    from emulator.lockout import locked_until

    assert locked_until(4, 100.0) == 0.0
    assert locked_until(5, 100.0) == 101.0
    assert locked_until(9, 100.0) == 116.0
    assert locked_until(14, 100.0) == 100.0 + 512
    assert locked_until(15, 100.0) == locked_until(400, 100.0) == 100.0 + 15 * 60
