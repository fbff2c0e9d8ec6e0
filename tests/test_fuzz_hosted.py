"""A property-based fuzz of the hosted UI's pages and the OAuth endpoints over raw
HTTP, on a server of its own: /oauth2/authorize, /login, /signup, /confirm,
/forgotPassword, /confirmForgotPassword, /challenge, /logout, /oauth2/token,
/oauth2/userInfo, /oauth2/revoke (and the discovery documents and logos by path).

Parameters are drawn by name from realistic values (the world's client ids, registered
redirect URIs and their near misses, tokens, the fixed code) and hostile ones (markup,
lone surrogates as percent-escaped bytes, NUL, CRLF, huge); forms come with or without
a matching CSRF pair, bodies in and out of form encoding, with Basic and Bearer
credentials good and bad, on the plain host and on the pool's domain host.

What must hold for every request:
- never a 5xx;
- never a redirect (Location) anywhere but the emulator itself or a URI registered for
  the client (a CallbackURL or LogoutURL, with the answer added to its query or fragment);
- no page reflects markup unescaped;
- the server still answers /health afterwards."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from .conftest import PASSWORD
from .fuzzing import CODE, HOSTILE_STRINGS, World, bounded, ref, served_world

ENDPOINTS = [
    ("GET", "/oauth2/authorize"), ("GET", "/login"), ("POST", "/login"), ("GET", "/signup"), ("POST", "/signup"),
    ("POST", "/confirm"), ("GET", "/forgotPassword"), ("POST", "/forgotPassword"), ("POST", "/confirmForgotPassword"),
    ("POST", "/challenge"), ("GET", "/logout"), ("POST", "/oauth2/token"), ("GET", "/oauth2/userInfo"),
    ("POST", "/oauth2/userInfo"), ("POST", "/oauth2/revoke"),
]
MARKUP = "<script>alert(1)</script>"
NEAR_MISSES = [
    "https://app.example/cb/", "https://app.example/cb?x=1", "https://app.example/cb#frag", "https://APP.example/cb",
    "https://app.example/cb/../evil", "https://app.example.evil.example/cb", "https://app.example/cb@evil.example",
    "https://app.example\\@evil.example/cb", "//evil.example/cb", "https://evil.example/cb", "javascript:alert(1)",
    "http://app.example/cb", "https://app.example/c%62", "myapp://signin/../x", "http://localhost:3000/cb",
    "http://localhost:3000/cb?from=fuzz&x=1", "https://app.example/signed-out?next=https://evil.example",
]
hostile = st.sampled_from([s for s in HOSTILE_STRINGS if len(s) < 10_000] + [MARKUP])
anything = st.text(max_size=30) | hostile
uris = st.sampled_from(["https://app.example/cb", "http://localhost:3000/cb?from=fuzz", "myapp://signin",
                        "https://app.example/signed-out", *NEAR_MISSES]) | anything
PARAMS: dict[str, st.SearchStrategy[Any]] = {
    "client_id": ref("client", "secret_client") | anything,
    "redirect_uri": uris, "logout_uri": uris,
    "response_type": st.sampled_from(["code", "token", "id_token", "code token", ""]) | anything,
    "scope": st.sampled_from(["openid", "openid email orders/read", "aws.cognito.signin.user.admin",
                              "openid profile phone", "orders/write"]) | anything,
    "state": anything, "nonce": anything,
    "code_challenge_method": st.sampled_from(["S256", "plain", "s256"]) | anything,
    "code_challenge": st.sampled_from(["E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", ""]) | anything,
    "identity_provider": st.sampled_from(["COGNITO", "Google", "cognito"]) | anything,
    "idp_identifier": anything, "lang": anything, "notice": st.sampled_from(["confirmed", "signed_out"]) | anything,
    "username": st.sampled_from(["alice", "bob", "carol", "alice@example.com"]) | anything,
    "password": st.sampled_from([PASSWORD, "wrong-Passw0rd"]) | anything,
    "password2": st.sampled_from([PASSWORD]) | anything,
    "code": st.sampled_from([CODE, "000000"]) | anything,
    "action": st.sampled_from(["resend", "submit"]) | anything,
    "attr_email": st.sampled_from(["carol@example.com"]) | anything,
    "challenge": st.sampled_from(["NEW_PASSWORD_REQUIRED", "SOFTWARE_TOKEN_MFA", "SMS_MFA", "EMAIL_OTP",
                                  "SELECT_MFA_TYPE", "MFA_SETUP", "CUSTOM_CHALLENGE"]) | anything,
    "session": anything, "proof": anything, "mfa": anything,
    "grant_type": st.sampled_from(["authorization_code", "refresh_token", "client_credentials", "password"]) | anything,
    "refresh_token": ref("refresh", "access") | anything,
    "code_verifier": st.sampled_from(["dBjftJeZ4CVP-mJ92K9SvG0e2BlA5vtJH2ZZYLd2q1o"]) | anything,
    "client_secret": ref("client_secret") | anything,
    "token": ref("refresh", "access") | anything,
}
HEADERS = {
    "none": st.just({}),
    "basic": st.tuples(ref("client", "secret_client") | anything, ref("client_secret") | anything).map(
        lambda pair: {"Authorization": ("basic", *pair)}),
    "bad basic": st.sampled_from(["Basic", "Basic !!!", "Basic " + base64.b64encode(b"\xff\xfe:x").decode(),
                                  "Basic " + base64.b64encode(b"no-colon").decode()]).map(lambda v: {"Authorization": v}),
    "bearer": (ref("access", "id", "refresh") | anything).map(lambda token: {"Authorization": ("bearer", token)}),
}
BODIES = ["form", "form", "form", "json", "bad utf-8", "duplicate", "no content type"]


# Most requests start from a well-formed one, so that the drawn changes are met deep in
# the flow rather than by the first missing parameter.
AUTHZ = {"client_id": ref("client"), "redirect_uri": "https://app.example/cb", "response_type": "code",
         "scope": "openid email", "state": "s"}
BASES: dict[str, dict[str, Any]] = {
    "/oauth2/authorize": AUTHZ, "/login": {**AUTHZ, "username": "alice", "password": PASSWORD},
    "/signup": {**AUTHZ, "username": "dave", "password": PASSWORD, "attr_email": "dave@example.com"},
    "/confirm": {**AUTHZ, "username": "bob", "code": CODE}, "/forgotPassword": {**AUTHZ, "username": "alice"},
    "/confirmForgotPassword": {**AUTHZ, "username": "alice", "code": CODE, "password": PASSWORD,
                               "password2": PASSWORD},
    "/challenge": {**AUTHZ, "username": "alice", "challenge": "NEW_PASSWORD_REQUIRED"},
    "/logout": {"client_id": ref("client"), "logout_uri": "https://app.example/signed-out"},
    "/oauth2/token": {"grant_type": "refresh_token", "client_id": ref("client"), "refresh_token": ref("refresh")},
    "/oauth2/revoke": {"client_id": ref("client"), "token": ref("refresh")},
}


@st.composite
def hosted_requests(draw: st.DrawFn) -> dict[str, Any]:
    method, path = draw(st.sampled_from(ENDPOINTS))
    base = BASES.get(path, {}) if draw(st.integers(0, 3)) else {}
    names = draw(st.lists(st.sampled_from(sorted(PARAMS)), max_size=3 if base else 8, unique=True))
    params = {**{k: draw(v) if isinstance(v, st.SearchStrategy) else v for k, v in base.items()},
              **{name: draw(PARAMS[name]) for name in names}}
    return {
        "method": method, "path": path, "params": params,
        "csrf": draw(st.sampled_from(["pair", "pair", "none", "mismatch"])),
        "headers": draw(st.sampled_from(sorted(HEADERS)).flatmap(lambda k: HEADERS[k])),
        "body": draw(st.sampled_from(BODIES)) if method == "POST" else "form",
        "domain_host": draw(st.booleans()),
        "session_cookie": draw(st.none() | anything),
    }


# -- the server, its world, and what every answer must be ----------------------------------------


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    yield from served_world(tmp_path_factory.mktemp("fuzz-hosted"))


@pytest.fixture(scope="module")
def http(world: World) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=world.server.url, timeout=60, follow_redirects=False) as client:
        yield client


def _credentials(world: World, headers: dict[str, Any]) -> dict[str, str]:
    value = headers.get("Authorization")
    if isinstance(value, tuple):
        if value[0] == "basic":
            user, secret = (str(world.resolve(v)) for v in value[1:])
            pair = f"{user}:{secret}".encode("utf-8", "surrogatepass")
            return {"Authorization": "Basic " + base64.b64encode(pair).decode()}
        return {"Authorization": f"Bearer {pct(str(world.resolve(value[1])), safe='-._~+/=')}".strip()}
    return dict(headers)


def pct(value: str, safe: str = "") -> str:
    # A lone surrogate travels as the percent-escaped bytes a broken client would send.
    return quote(value.encode("utf-8", "surrogatepass"), safe=safe)


def _form(params: dict[str, str]) -> str:
    return "&".join(f"{pct(k)}={pct(v)}" for k, v in params.items())


def send(world: World, http: httpx.Client, drawn: dict[str, Any]) -> httpx.Response:
    params = {k: str(world.resolve(v)) for k, v in drawn["params"].items()}
    headers = _credentials(world, drawn["headers"])
    cookies = {}
    if drawn["csrf"] != "none":
        cookies["XSRF-TOKEN"] = "fuzz-csrf"
        params["_csrf"] = "fuzz-csrf" if drawn["csrf"] == "pair" else "other"
    if drawn["session_cookie"] is not None:
        cookies[f"cognito-{world.refs['pool']}"] = pct(str(drawn["session_cookie"]))
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    if drawn["domain_host"]:
        headers["Host"] = f"{world.refs['domain']}.localhost:{urlsplit(world.server.url).port}"
    query, content = _form(params), None
    if drawn["method"] == "POST":
        query, content = "", _form(params).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        if drawn["body"] == "json":
            headers["Content-Type"], content = "application/json", b'{"username": "alice"}'
        elif drawn["body"] == "bad utf-8":
            content += b"&username=%ff%fe%ed%a0%80"
        elif drawn["body"] == "duplicate":
            content += b"&client_id=a&client_id=b"
        elif drawn["body"] == "no content type":
            del headers["Content-Type"]
    url = drawn["path"] + (f"?{query}" if query else "")
    return http.request(drawn["method"], url, content=content, headers=headers)


def registered_answer(location: str, registered: set[str]) -> bool:
    """`location` is a registered URI, with at most an answer added to its query or fragment."""
    got = urlsplit(location)
    for uri in registered:
        want = urlsplit(uri)
        if got[:3] == want[:3] and (got.query == want.query or got.query.startswith(f"{want.query}&" if want.query
                                                                                      else "")):
            return True
    return False


def check(world: World, resp: httpx.Response, drawn: dict[str, Any]) -> None:
    what = (drawn["method"], drawn["path"], drawn["params"], resp.status_code)
    assert resp.status_code < 500, (*what, resp.text[:300])
    location = resp.headers.get("location")
    if location is not None:
        own = urlsplit(location)
        host = resp.request.headers["host"]
        on_emulator = (not own.scheme and not own.netloc and location.startswith("/")) or (
            own.scheme == "http" and own.netloc == host)
        assert on_emulator or registered_answer(location, world.registered), (*what, location)
    if resp.headers.get("content-type", "").startswith("text/html"):
        assert MARKUP not in resp.text, what


@bounded(900)
@given(drawn=hosted_requests())
def test_hosted_pages_and_oauth_endpoints(world: World, http: httpx.Client, drawn: dict[str, Any]) -> None:
    resp = send(world, http, drawn)
    check(world, resp, drawn)
    if drawn["path"] == "/oauth2/revoke" and resp.status_code == 200:
        world.renew()  # the world's refresh token may be the one revoked


PATH_PARTS = st.sampled_from(["us-east-1_x", "..", "%2e%2e", "%ED%A0%80", "%00", "a" * 300, MARKUP, "%FF"]) | ref("pool")


@bounded(100)
@given(pool=PATH_PARTS, client=PATH_PARTS | ref("client"),
       path=st.sampled_from(["/{pool}/.well-known/jwks.json", "/{pool}/.well-known/openid-configuration",
                             "/_hosted/logo/{pool}/{client}", "/_hosted/hosted.css"]))
def test_documents_and_assets_by_path(world: World, http: httpx.Client, pool: Any, client: Any, path: str) -> None:
    url = path.format(pool=pct(str(world.resolve(pool)), safe="%"), client=pct(str(world.resolve(client)), safe="%"))
    resp = http.get(url)
    assert resp.status_code < 500, (url, resp.status_code, resp.text[:300])


def test_registered_answer_reads_uris_as_the_emulator_writes_them() -> None:
    registered = {"https://app.example/cb", "http://localhost:3000/cb?from=fuzz", "myapp://signin"}
    assert registered_answer("https://app.example/cb?code=1&state=x", registered)
    assert registered_answer("https://app.example/cb#access_token=t", registered)
    assert registered_answer("http://localhost:3000/cb?from=fuzz&code=1", registered)
    assert registered_answer("myapp://signin?code=1", registered)
    for outside in ("https://app.example/cb/x?code=1", "https://evil.example/cb", "http://localhost:3000/cb?code=1",
                    "http://localhost:3000/cb?from=fuzzy", "https://app.example.evil/cb", "myapp://other"):
        assert not registered_answer(outside, registered), outside

