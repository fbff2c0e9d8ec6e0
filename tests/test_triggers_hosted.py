"""Trigger failures in the hosted UI, through a live server and a browser-like client:
on a form page (sign-up, sign-in, confirmation) the page shows Cognito's message; once
the user is proven and the UI hands back to the app (the implicit grant's tokens, a
returning session), the browser goes back to the redirect_uri with `error`,
`error_description` and `state`; the token endpoint answers OAuth's JSON error. Nothing
is written by a failed step."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from emulator.triggers.registry import Triggers

from .conftest import PASSWORD, LiveServer, confirmed_user
from .hosted import (
    CALLBACK,
    Browser,
    authorize_params,
    oauth_client,
    oauth_pool,
    query_of,
    sign_in_for_code,
)
from .outbox import HTTP
from .test_triggers import Recorder, no_user


@pytest.fixture
def triggers(server: LiveServer) -> Iterator[Triggers]:
    yield server.triggers
    server.triggers.clear()


@pytest.fixture
def browser(server: LiveServer) -> Iterator[Browser]:
    b = Browser(server.url)
    yield b
    b.close()


def setup(cognito: Any) -> tuple[str, dict[str, Any]]:
    pool = oauth_pool(cognito)
    client = oauth_client(cognito, pool)
    confirmed_user(cognito, pool, "alice", email="alice@example.com", email_verified="true")
    return pool, client


def error_redirect(answer: Any) -> dict[str, str]:
    assert answer.status_code == 302, answer.text
    location = answer.headers["location"]
    assert location.startswith(CALLBACK + "?"), location
    return query_of(location)


def test_a_failing_pre_token_generation_in_the_implicit_grant_redirects_with_the_error(
        cognito: Any, browser: Browser, triggers: Triggers) -> None:
    pool, client = setup(cognito)
    triggers.set(pool, "PreTokenGeneration", Recorder(error="no tenant"))
    browser.get("/login", **authorize_params(client["ClientId"], response_type="token", state="xyz"))
    answer = browser.submit(username="alice", password=PASSWORD)
    assert error_redirect(answer) == {"error": "invalid_request", "state": "xyz",
                                      "error_description": "PreTokenGeneration failed with error no tenant."}
    assert "#" not in answer.headers["location"]  # no tokens in a fragment
    # No hosted-UI session was opened: the next authorization asks for the password again.
    again = browser.get("/oauth2/authorize", **authorize_params(client["ClientId"], response_type="token"))
    assert again.status_code == 302 and "/login?" in again.headers["location"]


def test_a_returning_session_whose_tokens_fail_goes_back_with_the_error(
        cognito: Any, server: LiveServer, triggers: Triggers) -> None:
    pool, client = setup(cognito)
    _, browser = sign_in_for_code(server, client["ClientId"])
    try:
        triggers.set(pool, "PreTokenGeneration", Recorder({"claimsOverrideDetails": {"claimsToSuppress": "email"}}))
        answer = browser.get("/oauth2/authorize", **authorize_params(client["ClientId"], response_type="token",
                                                                     state="s2"))
        found = error_redirect(answer)
        assert found["error"] == "invalid_request" and found["state"] == "s2"
        assert found["error_description"].startswith("Invalid lambda response")
    finally:
        browser.close()


def test_a_failing_pre_token_generation_at_the_token_endpoint_is_an_oauth_error(
        cognito: Any, server: LiveServer, triggers: Triggers) -> None:
    pool, client = setup(cognito)
    code, browser = sign_in_for_code(server, client["ClientId"])
    browser.close()
    triggers.set(pool, "PreTokenGeneration", Recorder(error="no tenant"))
    answer = HTTP.post(server.url + "/oauth2/token", data={
        "grant_type": "authorization_code", "client_id": client["ClientId"], "code": code, "redirect_uri": CALLBACK})
    assert answer.status_code == 400
    assert answer.json() == {"error": "invalid_request",
                             "error_description": "PreTokenGeneration failed with error no tenant."}


def test_a_failing_pre_sign_up_shows_on_the_sign_up_page_and_creates_nobody(
        cognito: Any, browser: Browser, triggers: Triggers) -> None:
    pool, client = setup(cognito)
    triggers.set(pool, "PreSignUp", Recorder(error="Invitation only"))
    browser.get("/signup", **authorize_params(client["ClientId"]))
    page = browser.submit(username="newbie", attr_email="newbie@example.com", password=PASSWORD)
    assert page.status_code == 400 and "PreSignUp failed with error Invitation only." in page.text
    assert browser.forms()[0].fields["attr_email"] == "newbie@example.com"
    assert no_user(cognito, pool, "newbie")


def test_a_failing_post_authentication_shows_on_the_login_page_and_opens_no_session(
        cognito: Any, browser: Browser, triggers: Triggers) -> None:
    pool, client = setup(cognito)
    triggers.set(pool, "PostAuthentication", Recorder(error="audit down"))
    browser.get("/login", **authorize_params(client["ClientId"]))
    page = browser.submit(username="alice", password=PASSWORD)
    assert page.status_code == 400 and "PostAuthentication failed with error audit down." in page.text
    assert not any(name.startswith("cognito-") for name in browser.http.cookies)
