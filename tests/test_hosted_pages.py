"""The hosted pages driven like a browser (httpx keeping cookies): CSRF on every form,
escaped output, sign-up with its code, forgotten passwords, NEW_PASSWORD_REQUIRED,
SMS / email / TOTP MFA and MFA_SETUP, and the pool's branding applied."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest

from .conftest import PASSWORD, LiveServer
from .hosted import (
    CALLBACK,
    Browser,
    authorize_params,
    oauth_client,
    oauth_pool,
    query_of,
    user_with_email,
)
from .outbox import last_code, wrong

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


@pytest.fixture
def pool(cognito: Any) -> str:
    return oauth_pool(cognito, AutoVerifiedAttributes=["email"])


@pytest.fixture
def client(cognito: Any, pool: str) -> dict[str, Any]:
    return oauth_client(cognito, pool)


@pytest.fixture
def browser(server: LiveServer) -> Any:
    b = Browser(server.url)
    yield b
    b.close()


def at_login(browser: Browser, client: dict[str, Any], **extra: str) -> Browser:
    page = browser.get("/login", **authorize_params(client["ClientId"], **extra))
    assert page.status_code == 200, page.text
    return browser


def landed(browser: Browser) -> dict[str, str]:
    assert browser.page is not None and browser.page.status_code == 302, browser.page.text if browser.page else None
    location = browser.page.headers["location"]
    assert location.startswith(CALLBACK + "?"), location
    return query_of(location)


# -- forms are safe ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/login", "/signup", "/forgotPassword"])
def test_every_form_carries_a_csrf_token_and_posts_without_it_are_refused(
        browser: Browser, client: dict[str, Any], path: str) -> None:
    browser.get(path, **authorize_params(client["ClientId"]))
    forms = browser.forms()
    assert forms and all(f.fields.get("_csrf") for f in forms)
    assert browser.page is not None and browser.page.cookies.get("XSRF-TOKEN") == forms[0].fields["_csrf"]
    refused = browser.submit(_csrf="forged", username="alice", password=PASSWORD)
    assert refused.status_code == 403 and "This form has expired" in refused.text
    browser.http.cookies.clear()
    bare = browser.http.post(path, data={**forms[0].fields, "username": "alice", "password": PASSWORD})
    assert bare.status_code == 403


def test_pages_escape_what_they_echo_and_send_safety_headers(browser: Browser, cognito: Any, pool: str,
                                                               client: dict[str, Any]) -> None:
    attack = '"><script>alert(1)</script>'
    page = at_login(browser, client, state=attack).page
    assert page is not None and "<script>alert(1)" not in page.text and "&lt;script&gt;" in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY" and page.headers["cache-control"] == "no-store"
    answer = browser.submit(username=attack, password="x")
    assert answer.status_code == 400 and "<script>alert(1)" not in answer.text
    assert browser.forms()[0].fields["state"] == attack  # carried intact, as data


def test_a_wrong_password_shows_the_form_again_with_cognitos_message(browser: Browser, cognito: Any, pool: str,
                                                                     client: dict[str, Any]) -> None:
    user_with_email(cognito, pool)
    answer = at_login(browser, client).submit(username="alice", password="Wrong-pass1")
    assert answer.status_code == 400 and "Incorrect username or password." in answer.text
    assert browser.title() == "Sign in" and browser.forms()[0].fields["username"] == "alice"
    cognito.admin_disable_user(UserPoolId=pool, Username="alice")
    assert "User is disabled." in browser.submit(username="alice", password=PASSWORD).text


# -- sign-up and confirmation ------------------------------------------------------------------


def test_sign_up_confirm_and_land_on_the_app_signed_in(server: LiveServer, browser: Browser, cognito: Any,
                                                       pool: str, client: dict[str, Any]) -> None:
    browser.get("/signup", **authorize_params(client["ClientId"], state="after-signup"))
    assert browser.title() == "Create an account"
    assert set(browser.forms()[0].fields) >= {"username", "attr_email", "password"}
    browser.submit(username="newbie", attr_email="newbie@example.com", password=PASSWORD)
    assert browser.title() == "Confirm your account" and "n***@e***" in browser.page.text  # type: ignore[union-attr]
    code = last_code(server, pool, username="newbie", type="SIGN_UP")
    assert "Invalid verification code" in browser.submit(code=wrong(code)).text
    resent = browser.submit(action="resend")
    assert "We sent you a new code." in resent.text
    fresh = last_code(server, pool, username="newbie", type="RESEND_CODE")
    browser.submit(code=fresh)
    assert landed(browser)["state"] == "after-signup"
    user = cognito.admin_get_user(UserPoolId=pool, Username="newbie")
    assert user["UserStatus"] == "CONFIRMED"
    assert {"Name": "email_verified", "Value": "true"} in user["UserAttributes"]


def test_sign_up_errors_keep_what_was_typed(browser: Browser, cognito: Any, pool: str,
                                            client: dict[str, Any]) -> None:
    browser.get("/signup", **authorize_params(client["ClientId"]))
    weak = browser.submit(username="weakling", attr_email="w@example.com", password="short")
    assert weak.status_code == 400 and "Password not long enough" in weak.text
    assert browser.forms()[0].fields["attr_email"] == "w@example.com"
    user_with_email(cognito, pool, "taken")
    assert "already exists" in browser.submit(username="taken", attr_email="t@example.com", password=PASSWORD).text
    assert "Fill in Email" in browser.submit(username="nomail", attr_email="", password=PASSWORD).text


def test_email_as_username_asks_for_an_email(browser: Browser, cognito: Any) -> None:
    pool = oauth_pool(cognito, UsernameAttributes=["email"], AutoVerifiedAttributes=["email"])
    client = oauth_client(cognito, pool)
    browser.get("/signup", **authorize_params(client["ClientId"]))
    assert set(browser.forms()[0].fields) == {"_csrf", "client_id", "redirect_uri", "response_type", "scope",
                                              "username", "password"}
    assert 'type="email"' in browser.page.text  # type: ignore[union-attr]


def test_an_unconfirmed_user_signing_in_is_sent_a_code_and_then_signs_in(
        server: LiveServer, browser: Browser, cognito: Any, pool: str, client: dict[str, Any]) -> None:
    cognito.sign_up(ClientId=client["ClientId"], Username="later", Password=PASSWORD,
                    UserAttributes=[{"Name": "email", "Value": "later@example.com"}])
    page = at_login(browser, client).submit(username="later", password=PASSWORD)
    assert "Confirm your account" in page.text and "not confirmed yet" in page.text
    browser.submit(code=last_code(server, pool, username="later", type="RESEND_CODE"))
    assert browser.page is not None and "/login?" in browser.page.headers["location"]
    assert "Your account is confirmed" in browser.follow().text
    browser.submit(username="later", password=PASSWORD)
    assert "code" in landed(browser)


# -- forgotten passwords -------------------------------------------------------------------------


def test_forgot_password_resets_it_and_the_new_one_signs_in(server: LiveServer, browser: Browser, cognito: Any,
                                                            pool: str, client: dict[str, Any]) -> None:
    user_with_email(cognito, pool)
    browser.get("/forgotPassword", **authorize_params(client["ClientId"]))
    browser.submit(username="alice")
    assert browser.title() == "Choose a new password"
    code = last_code(server, pool, username="alice", type="FORGOT_PASSWORD")
    mismatch = browser.submit(code=code, password="N3wPassword", password2="N3wPassw0rd")
    assert mismatch.status_code == 400 and "do not match" in mismatch.text
    browser.submit(code=code, password="N3wPassword", password2="N3wPassword")
    assert "notice=password_reset" in browser.page.headers["location"]  # type: ignore[union-attr]
    assert "Your password has been changed" in browser.follow().text
    assert "Incorrect username or password." in browser.submit(username="alice", password=PASSWORD).text
    browser.submit(username="alice", password="N3wPassword")
    assert "code" in landed(browser)


def test_a_reset_required_user_is_sent_a_code_at_sign_in(server: LiveServer, browser: Browser, cognito: Any,
                                                        pool: str, client: dict[str, Any]) -> None:
    user_with_email(cognito, pool)
    cognito.admin_reset_user_password(UserPoolId=pool, Username="alice")
    page = at_login(browser, client).submit(username="alice", password=PASSWORD)
    assert browser.title() == "Choose a new password" and "must be reset" in page.text
    code = last_code(server, pool, username="alice", type="FORGOT_PASSWORD")
    browser.submit(code=code, password="N3wPassword", password2="N3wPassword")
    browser.follow()
    browser.submit(username="alice", password="N3wPassword")
    assert "code" in landed(browser)


def test_forgot_password_for_nobody_says_so(browser: Browser, client: dict[str, Any]) -> None:
    browser.get("/forgotPassword", **authorize_params(client["ClientId"]))
    page = browser.submit(username="ghost")
    assert page.status_code == 400 and "Username/client id combination not found." in page.text


# -- challenges -----------------------------------------------------------------------------------


def test_new_password_required_is_a_page(server: LiveServer, browser: Browser, cognito: Any, pool: str,
                                         client: dict[str, Any]) -> None:
    cognito.admin_create_user(UserPoolId=pool, Username="invited", TemporaryPassword="Temp0rary!",
                              MessageAction="SUPPRESS")
    page = at_login(browser, client).submit(username="invited", password="Temp0rary!")
    assert page.status_code == 200 and browser.title() == "Choose a new password"
    assert browser.forms()[0].fields["challenge"] == "NEW_PASSWORD_REQUIRED"
    weak = browser.submit(password="short", password2="short")
    assert weak.status_code == 400 and "Password" in weak.text and browser.title() == "Choose a new password"
    browser.submit(password="Chosen-Passw0rd", password2="Chosen-Passw0rd")
    assert "code" in landed(browser)
    assert cognito.admin_get_user(UserPoolId=pool, Username="invited")["UserStatus"] == "CONFIRMED"


# SMS MFA needs the pool's SMS settings (the role Cognito would text through).
SMS_MFA = {"SmsAuthenticationMessage": "Code {####}",
           "SmsConfiguration": {"SnsCallerArn": "arn:aws:iam::123456789012:role/sms", "ExternalId": "x"}}


def mfa_pool(cognito: Any, mode: str, **methods: Any) -> tuple[str, dict[str, Any]]:
    pool = oauth_pool(cognito)
    cognito.set_user_pool_mfa_config(UserPoolId=pool, MfaConfiguration=mode, **methods)
    return pool, oauth_client(cognito, pool)


def test_sms_mfa_asks_for_the_texted_code(server: LiveServer, browser: Browser, cognito: Any) -> None:
    pool, client = mfa_pool(cognito, "ON", SmsMfaConfiguration=SMS_MFA)
    user_with_email(cognito, pool, "sam")
    cognito.admin_update_user_attributes(UserPoolId=pool, Username="sam", UserAttributes=[
        {"Name": "phone_number", "Value": "+15555550123"}, {"Name": "phone_number_verified", "Value": "true"}])
    at_login(browser, client).submit(username="sam", password=PASSWORD)
    assert browser.forms()[0].fields["challenge"] == "SMS_MFA" and "+*******0123" in browser.page.text  # type: ignore[union-attr]
    code = last_code(server, pool, username="sam", type="AUTHENTICATION")
    wrong_code = browser.submit(code=wrong(code))
    assert wrong_code.status_code == 400 and "Invalid code received for user" in wrong_code.text
    browser.submit(code=code)
    assert "code" in landed(browser)


def test_select_mfa_type_then_the_email_code(server: LiveServer, browser: Browser, cognito: Any) -> None:
    pool, client = mfa_pool(cognito, "OPTIONAL", SmsMfaConfiguration=SMS_MFA,
                            EmailMfaConfiguration={"Message": "Code {####}", "Subject": "Code"})
    user_with_email(cognito, pool, "eve")
    cognito.admin_update_user_attributes(UserPoolId=pool, Username="eve", UserAttributes=[
        {"Name": "phone_number", "Value": "+15555550124"}, {"Name": "phone_number_verified", "Value": "true"}])
    cognito.admin_set_user_mfa_preference(UserPoolId=pool, Username="eve", SMSMfaSettings={"Enabled": True},
                                          EmailMfaSettings={"Enabled": True})
    at_login(browser, client).submit(username="eve", password=PASSWORD)
    assert browser.title() == "Choose how to verify"
    browser.submit(answer="EMAIL_OTP")
    assert browser.forms()[0].fields["challenge"] == "EMAIL_OTP" and "e***@e***" in browser.page.text  # type: ignore[union-attr]
    browser.submit(code=last_code(server, pool, username="eve", channel="EMAIL", type="AUTHENTICATION"))
    assert "code" in landed(browser)


def test_mfa_setup_shows_a_qr_code_and_then_totp_signs_in(server: LiveServer, browser: Browser, cognito: Any) -> None:
    pool, client = mfa_pool(cognito, "ON", SoftwareTokenMfaConfiguration={"Enabled": True})
    user_with_email(cognito, pool, "tia")
    page = at_login(browser, client).submit(username="tia", password=PASSWORD)
    assert browser.title() == "Set up your authenticator" and "<svg" in page.text
    secret = browser.forms()[0].fields["hint_secret"]
    otpauth = page.text.split('data-otpauth="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert urlsplit(otpauth).scheme == "otpauth" and parse_qs(urlsplit(otpauth).query)["secret"] == [secret]
    totp = pyotp.TOTP(secret)
    assert "Code mismatch" in browser.submit(code=wrong(totp.at(server.clock.now()))).text
    browser.submit(code=totp.at(server.clock.now()))
    assert "code" in landed(browser)
    browser.http.cookies.clear()
    at_login(browser, client).submit(username="tia", password=PASSWORD)
    assert browser.forms()[0].fields["challenge"] == "SOFTWARE_TOKEN_MFA"
    server.clock.advance(30)  # the setup's code may not be used twice
    browser.submit(code=totp.at(server.clock.now()))
    assert "code" in landed(browser)


def test_an_expired_challenge_goes_back_to_sign_in(server: LiveServer, browser: Browser, cognito: Any) -> None:
    pool, client = mfa_pool(cognito, "ON", EmailMfaConfiguration={"Message": "Code {####}", "Subject": "Code"})
    user_with_email(cognito, pool, "zoe")
    at_login(browser, client).submit(username="zoe", password=PASSWORD)
    code = last_code(server, pool, username="zoe", type="AUTHENTICATION")
    server.clock.advance(181)
    page = browser.submit(code=code)
    assert page.status_code == 400 and browser.title() == "Sign in" and "Sign in again." in page.text


# -- branding ----------------------------------------------------------------------------------------


def test_the_pools_css_and_logo_dress_the_pages(server: LiveServer, browser: Browser, cognito: Any, pool: str,
                                                client: dict[str, Any]) -> None:
    cognito.create_user_pool_domain(UserPoolId=pool, Domain=f"brand-{pool.split('_')[1].lower()}")
    css = ".submitButton-customizable { background-color: #7b1fa2; }"
    cognito.set_ui_customization(UserPoolId=pool, ClientId=client["ClientId"], CSS=css, ImageFile=PNG)
    page = at_login(browser, client).page
    assert page is not None and f"<style>{css}</style>" in page.text
    logo = page.text.split('class="logo logo-customizable" src="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert browser.http.get(logo).content == PNG
    other = oauth_client(cognito, pool)
    plain = browser.get("/login", **authorize_params(other["ClientId"]))
    assert css not in plain.text and "logo-customizable" not in plain.text
