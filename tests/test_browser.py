"""The hosted UI in a real browser: Playwright driving Debian's Chromium
(/usr/bin/chromium; no browser is downloaded). A tiny app on 127.0.0.1 links to the
sign-in; a person signs up, confirms with the code from the outbox, lands back on the
app with a code the app exchanges, and signs out. Another signs in with TOTP MFA.

The login and sign-up pages are screenshotted on every run (to a temporary folder), and
saved to docs/screenshots/ when UPDATE_SCREENSHOTS=1."""

from __future__ import annotations

import html
import os
import tempfile
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import pyotp
import pytest

from .conftest import PASSWORD, LiveServer, confirmed_user
from .hosted import oauth_pool, query_of
from .outbox import last_code

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = (Path(__file__).resolve().parent.parent / "docs" / "screenshots"
               if os.environ.get("UPDATE_SCREENSHOTS") == "1"
               else Path(tempfile.gettempdir()) / "cognito-emulator-screenshots")


class DemoApp:
    """An application's front page with a Register/Login link, and its callback pages."""

    def __init__(self) -> None:
        self.login_href = ""
        self.callbacks: list[str] = []
        app = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
                path = urlsplit(self.path).path
                pages = {"/": f'<h1>Demo app</h1><p><a id="login" href="{html.escape(app.login_href)}">'
                              "Register/Login</a></p>",
                         "/logged-in": "<h1>Signed in</h1>", "/logged-out": "<h1>Signed out</h1>"}
                if path == "/logged-in":
                    app.callbacks.append(self.path)
                body = pages.get(path)
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(f"<!doctype html><title>Demo app</title>{body or 'Not found'}".encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://localhost:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the browser tests need Debian's Chromium "
                    "(apt-get install -y chromium, as ./scripts/test does). No browser is downloaded.")
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def app() -> Iterator[DemoApp]:
    demo = DemoApp()
    yield demo
    demo.stop()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport={"width": 900, "height": 820}, device_scale_factor=1)
    yield context.new_page()
    context.close()


def app_client(cognito: Any, pool_id: str, app: DemoApp) -> str:
    return str(cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="Demo app", AllowedOAuthFlowsUserPoolClient=True,
        AllowedOAuthFlows=["code"], AllowedOAuthScopes=["email", "openid", "phone"],
        CallbackURLs=[f"{app.url}/logged-in"], LogoutURLs=[f"{app.url}/logged-out"],
        SupportedIdentityProviders=["COGNITO"])["UserPoolClient"]["ClientId"])


def login_href(server: LiveServer, client_id: str, app: DemoApp) -> str:
    query = urlencode({"client_id": client_id, "response_type": "code", "scope": "email openid phone",
                       "redirect_uri": f"{app.url}/logged-in"})
    return f"{server.url}/login?{query}"


def test_seed_journey_sign_up_confirm_exchange_user_info_and_sign_out(
        server: LiveServer, cognito: Any, app: DemoApp, page: Any) -> None:
    pool_id = oauth_pool(cognito, AutoVerifiedAttributes=["email"])
    client_id = app_client(cognito, pool_id, app)
    app.login_href = login_href(server, client_id, app)
    username = "ada"  # the pool is the test's own; a fixed name keeps the screenshot stable

    page.goto(app.url + "/")
    page.click("text=Register/Login")
    page.wait_for_url(f"{server.url}/login?**")
    assert page.locator("h1").inner_text() == "Sign in"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "login.png"), full_page=True)

    page.click("text=Create an account")
    page.wait_for_url(f"{server.url}/signup?**")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill("ada@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.screenshot(path=str(SCREENSHOTS / "signup.png"), full_page=True)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url(f"{server.url}/signup")
    assert page.locator("h1").inner_text() == "Confirm your account"

    page.get_by_label("Confirmation code").fill(last_code(server, pool_id, username=username, type="SIGN_UP"))
    page.get_by_role("button", name="Confirm account").click()
    page.wait_for_url(f"{app.url}/logged-in?code=**")
    assert page.locator("h1").inner_text() == "Signed in"
    code = query_of(page.url)["code"]
    assert app.callbacks and query_of(app.callbacks[-1])["code"] == code

    tokens = httpx.post(f"{server.url}/oauth2/token", data={
        "grant_type": "authorization_code", "code": code, "client_id": client_id,
        "redirect_uri": f"{app.url}/logged-in"}).json()
    assert set(tokens) == {"id_token", "access_token", "refresh_token", "token_type", "expires_in"}
    info = httpx.get(f"{server.url}/oauth2/userInfo", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert info.json()["email"] == "ada@example.com" and info.json()["email_verified"] == "true"

    page.goto(f"{server.url}/logout?" + urlencode({"client_id": client_id, "logout_uri": f"{app.url}/logged-out"}))
    page.wait_for_url(f"{app.url}/logged-out")
    assert page.locator("h1").inner_text() == "Signed out"
    page.goto(app.url + "/")
    page.click("text=Register/Login")  # signed out: the form again, not straight back
    page.wait_for_url(f"{server.url}/login?**")
    assert page.locator("h1").inner_text() == "Sign in"


def test_sign_in_with_totp_mfa_from_set_up_to_second_sign_in(
        server: LiveServer, cognito: Any, app: DemoApp, page: Any) -> None:
    pool_id = oauth_pool(cognito)
    cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="ON",
                                     SoftwareTokenMfaConfiguration={"Enabled": True})
    client_id = app_client(cognito, pool_id, app)
    confirmed_user(cognito, pool_id, "grace", email="grace@example.com")
    start = f"{server.url}/oauth2/authorize?" + urlencode({
        "client_id": client_id, "response_type": "code", "scope": "openid email",
        "redirect_uri": f"{app.url}/logged-in"})

    def sign_in() -> None:
        page.goto(start)
        page.wait_for_url(f"{server.url}/login?**")
        page.get_by_label("Username").fill("grace")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()

    sign_in()
    assert page.locator("h1").inner_text() == "Set up your authenticator"
    assert page.get_by_role("img", name="QR code of the authenticator secret").locator("svg").count() == 1
    otpauth = page.locator(".secret").get_attribute("data-otpauth")
    totp = pyotp.parse_uri(otpauth)
    assert isinstance(totp, pyotp.TOTP) and totp.issuer
    page.get_by_label("Code from the app").fill(totp.at(server.clock.now()))
    page.get_by_role("button", name="Verify and sign in").click()
    page.wait_for_url(f"{app.url}/logged-in?code=**")

    page.goto(f"{server.url}/logout?" + urlencode({"client_id": client_id, "logout_uri": f"{app.url}/logged-out"}))
    page.wait_for_url(f"{app.url}/logged-out")
    sign_in()
    assert page.locator("h1").inner_text() == "Enter your code"
    server.clock.advance(30)  # a TOTP code is accepted once: the next one is a step later
    page.get_by_label("Code", exact=True).fill(totp.at(server.clock.now()))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{app.url}/logged-in?code=**")
    assert page.locator("h1").inner_text() == "Signed in"
