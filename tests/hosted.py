"""Helpers for the hosted-UI and OAuth tests: pools and clients set up for OAuth, and a
small form-driving browser on httpx (cookies kept, redirects not followed, every
form read from the HTML the way a browser would submit it)."""

from __future__ import annotations

import base64
import hashlib
import secrets
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

from .conftest import PASSWORD, LiveServer, confirmed_user

CALLBACK = "http://localhost:3000/callback"
LOGOUT = "http://localhost:3000/signed-out"
POLICY = {"PasswordPolicy": {"MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True,
                             "RequireNumbers": True, "RequireSymbols": False}}
SCOPES = [{"ScopeName": "read", "ScopeDescription": "Read orders"},
          {"ScopeName": "write", "ScopeDescription": "Write orders"}]


def oauth_pool(cognito: Any, **config: Any) -> str:
    config.setdefault("Policies", POLICY)
    pool_id = str(cognito.create_user_pool(PoolName=f"hosted-{uuid.uuid4().hex[:8]}", **config)["UserPool"]["Id"])
    cognito.create_resource_server(UserPoolId=pool_id, Identifier="orders", Name="orders", Scopes=SCOPES)
    return pool_id


def oauth_client(cognito: Any, pool_id: str, *, secret: bool = False, **overrides: Any) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "AllowedOAuthFlowsUserPoolClient": True, "AllowedOAuthFlows": ["code", "implicit"],
        "AllowedOAuthScopes": ["openid", "email", "phone", "profile", "aws.cognito.signin.user.admin",
                               "orders/read"],
        "CallbackURLs": [CALLBACK], "LogoutURLs": [LOGOUT], "SupportedIdentityProviders": ["COGNITO"],
        "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        "GenerateSecret": secret, **overrides,
    }
    return dict(cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="web", **settings)["UserPoolClient"])


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def query_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def fragment_of(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).fragment).items()}


@dataclass
class Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", "")))
        elif tag == "input" and self.forms and a.get("name"):
            if a.get("type") != "radio" or "checked" in a:
                self.forms[-1].fields[a["name"]] = a.get("value", "")
        elif tag == "h1":
            self._in_title = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data.strip()


class Browser:
    """Follows a person's path through the pages: GET, read the form, fill it, POST."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.http = httpx.Client(base_url=base, follow_redirects=False)
        self.page: httpx.Response | None = None

    def close(self) -> None:
        self.http.close()

    def get(self, url: str, **params: str) -> httpx.Response:
        self.page = self.http.get(url, params=params or None)
        return self.page

    def forms(self) -> list[Form]:
        assert self.page is not None
        parser = _Forms()
        parser.feed(self.page.text)
        return parser.forms

    def title(self) -> str:
        assert self.page is not None
        parser = _Forms()
        parser.feed(self.page.text)
        return parser.title

    def submit(self, index: int = 0, **values: str) -> httpx.Response:
        form = self.forms()[index]
        assert self.page is not None
        target = urljoin(str(self.page.url), form.action)
        self.page = self.http.post(target, data={**form.fields, **values})
        return self.page

    def follow(self) -> httpx.Response:
        """One redirect on the emulator (a redirect to the app is left to the test)."""
        assert self.page is not None and self.page.status_code in (302, 303), self.page.status_code
        return self.get(self.page.headers["location"])


def authorize_params(client_id: str, **extra: str) -> dict[str, str]:
    return {"client_id": client_id, "response_type": "code", "redirect_uri": CALLBACK,
            "scope": "openid email", **extra}


def sign_in_for_code(server: LiveServer, client_id: str, username: str = "alice", password: str = PASSWORD,
                     browser: Browser | None = None, **extra: str) -> tuple[str, Browser]:
    """The form sign-in to the callback URL; the code and the browser (with its cookie)."""
    browser = browser or Browser(server.url)
    browser.get("/login", **authorize_params(client_id, **extra))
    assert browser.page is not None and browser.page.status_code == 200, browser.page.text
    answer = browser.submit(username=username, password=password)
    assert answer.status_code == 302, answer.text
    location = answer.headers["location"]
    assert location.startswith(CALLBACK + "?"), location
    return query_of(location)["code"], browser


def user_with_email(cognito: Any, pool_id: str, username: str = "alice") -> str:
    return confirmed_user(cognito, pool_id, username, email=f"{username}@example.com", email_verified="true")
