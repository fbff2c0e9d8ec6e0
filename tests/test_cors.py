"""CORS on the endpoints a browser page calls across origins: the JSON API and the
OAuth endpoints (and the public discovery documents), preflights and answers, errors
included; never on the emulator's control endpoints. Proven in Chromium: a page on
another loopback origin signs up and signs in with amazon-cognito-identity-js."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import PASSWORD, LiveServer
from .hosted import oauth_pool
from .outbox import last_code
from .test_browser import chromium  # noqa: F401  (the module's browser)
from .test_protocol import JSON11, TARGET

ORIGIN = "http://localhost:3000"  # a React dev server, as the seed guides have it
# What the AWS SDKs and amazon-cognito-identity-js send from a browser.
SDK_HEADERS = ["content-type", "x-amz-target", "x-amz-user-agent", "authorization", "amz-sdk-invocation-id",
               "amz-sdk-request", "cache-control", "x-amz-date", "x-amz-security-token",
               "x-amz-content-sha256"]
EXPOSED = ["x-amzn-requestid", "x-amzn-errortype", "x-amzn-errormessage"]

BROWSER_ENDPOINTS = [("/", "POST"), ("/oauth2/token", "POST"), ("/oauth2/userInfo", "GET"),
                     ("/oauth2/userInfo", "POST"), ("/oauth2/revoke", "POST")]


def listed(value: str) -> set[str]:
    return {part.strip().lower() for part in value.split(",") if part.strip()}


def preflight(server: LiveServer, path: str, method: str, headers: list[str]) -> httpx.Response:
    return httpx.options(f"{server.url}{path}", headers={
        "Origin": ORIGIN, "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": ",".join(headers)})


@pytest.mark.parametrize(("path", "method"), BROWSER_ENDPOINTS)
def test_preflights_allow_any_origin_and_the_sdk_headers(server: LiveServer, path: str, method: str) -> None:
    resp = preflight(server, path, method, SDK_HEADERS)
    assert resp.status_code == 200, (resp.status_code, resp.text)
    assert resp.headers["access-control-allow-origin"] == "*"
    assert method.lower() in listed(resp.headers["access-control-allow-methods"])
    assert set(SDK_HEADERS) <= listed(resp.headers["access-control-allow-headers"])
    assert int(resp.headers["access-control-max-age"]) > 0


def test_a_public_page_may_reach_the_loopback_emulator(server: LiveServer) -> None:
    # Chrome's Private Network Access preflight, for a deployed app calling a local emulator.
    resp = httpx.options(f"{server.url}/", headers={
        "Origin": "https://app.example", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Private-Network": "true"})
    assert resp.status_code == 200 and resp.headers["access-control-allow-private-network"] == "true"
    plain = preflight(server, "/", "POST", ["content-type"])
    assert "access-control-allow-private-network" not in plain.headers


def test_answers_and_errors_of_the_api_carry_cors_headers(server: LiveServer) -> None:
    headers = {"Origin": ORIGIN, "Content-Type": JSON11}
    ok = httpx.post(f"{server.url}/", content=b'{"MaxResults": 1}',
                    headers={**headers, "X-Amz-Target": f"{TARGET}.ListUserPools"})
    failed = httpx.post(f"{server.url}/", content=b"{}", headers={**headers, "X-Amz-Target": f"{TARGET}.GetUser"})
    unknown = httpx.post(f"{server.url}/", content=b"{}", headers=headers)
    wrong_method = httpx.get(f"{server.url}/", headers=headers)
    assert [ok.status_code, failed.status_code, unknown.status_code, wrong_method.status_code] == [200, 400, 400, 405]
    for resp in (ok, failed, unknown, wrong_method):
        assert resp.headers["access-control-allow-origin"] == "*", resp.headers
        assert set(EXPOSED) <= listed(resp.headers["access-control-expose-headers"]), resp.headers


def test_oauth_answers_and_errors_carry_cors_headers(server: LiveServer) -> None:
    headers = {"Origin": ORIGIN}
    for resp in (httpx.post(f"{server.url}/oauth2/token", data={"grant_type": "nonsense"}, headers=headers),
                 httpx.get(f"{server.url}/oauth2/userInfo", headers={**headers, "Authorization": "Bearer x.y.z"}),
                 httpx.post(f"{server.url}/oauth2/revoke", data={"token": "x"}, headers=headers)):
        assert resp.status_code in (400, 401), resp.text
        assert resp.headers["access-control-allow-origin"] == "*", (resp.request.url, resp.headers)


def test_discovery_documents_are_readable_from_pages(server: LiveServer, cognito: Any) -> None:
    pool = cognito.create_user_pool(PoolName="cors")["UserPool"]["Id"]
    for doc in ("jwks.json", "openid-configuration"):
        resp = httpx.get(f"{server.url}/{pool}/.well-known/{doc}", headers={"Origin": ORIGIN})
        assert resp.status_code == 200 and resp.headers["access-control-allow-origin"] == "*"


@pytest.mark.parametrize(("path", "method"), [("/_emulator/reset", "POST"), ("/_emulator/snapshot", "GET"),
                                              ("/_emulator/messages", "DELETE"), ("/login", "POST")])
def test_control_endpoints_and_pages_never_allow_other_origins(server: LiveServer, path: str, method: str) -> None:
    resp = preflight(server, path, method, ["content-type"])
    assert "access-control-allow-origin" not in resp.headers, resp.headers
    if method == "GET":
        got = httpx.get(f"{server.url}{path}", headers={"Origin": ORIGIN})
        assert got.status_code == 200 and "access-control-allow-origin" not in got.headers


# -- in Chromium -------------------------------------------------------------------------------


class StaticSite:
    """A page and amazon-cognito-identity-js's browser bundle, served from an origin of
    its own (localhost:<port>, while the emulator is at 127.0.0.1:<its port>)."""

    def __init__(self, bundle: Path) -> None:
        files = {"/": (b"<!doctype html><title>app</title><h1>app</h1>", "text/html"),
                 "/cognito.js": (bundle.read_bytes(), "text/javascript")}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
                body, ctype = files.get(self.path, (b"not found", "text/plain"))
                self.send_response(200 if self.path in files else 404)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://localhost:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


@pytest.fixture
def site(node_clients: Path) -> Iterator[StaticSite]:  # noqa: F811
    bundle = node_clients / "node_modules" / "amazon-cognito-identity-js" / "dist" / "amazon-cognito-identity.min.js"
    served = StaticSite(bundle)
    yield served
    served.stop()


# The page's code: amazon-cognito-identity-js as a browser app uses it, callbacks made promises.
SIGN_UP = """async ([endpoint, poolId, clientId, username, password, email]) => {
  const pool = new AmazonCognitoIdentity.CognitoUserPool({UserPoolId: poolId, ClientId: clientId, endpoint});
  const attrs = [new AmazonCognitoIdentity.CognitoUserAttribute({Name: 'email', Value: email})];
  return await new Promise((resolve) => pool.signUp(username, password, attrs, null,
    (err, result) => resolve(err ? {error: err.code || err.name, message: err.message}
                                 : {confirmed: result.userConfirmed, sub: result.userSub})));
}"""
CONFIRM = """async ([endpoint, poolId, clientId, username, code]) => {
  const pool = new AmazonCognitoIdentity.CognitoUserPool({UserPoolId: poolId, ClientId: clientId, endpoint});
  const user = new AmazonCognitoIdentity.CognitoUser({Username: username, Pool: pool});
  return await new Promise((resolve) => user.confirmRegistration(code, true,
    (err, result) => resolve(err ? {error: err.code || err.name, message: err.message} : {result})));
}"""
SIGN_IN = """async ([endpoint, poolId, clientId, username, password]) => {
  const pool = new AmazonCognitoIdentity.CognitoUserPool({UserPoolId: poolId, ClientId: clientId, endpoint});
  const user = new AmazonCognitoIdentity.CognitoUser({Username: username, Pool: pool});
  const details = new AmazonCognitoIdentity.AuthenticationDetails({Username: username, Password: password});
  return await new Promise((resolve) => user.authenticateUser(details, {
    onSuccess: (session) => user.getUserAttributes((err, attrs) => resolve(err
      ? {error: err.code || err.name, message: err.message}
      : {idToken: session.getIdToken().getJwtToken(),
         attributes: Object.fromEntries(attrs.map((a) => [a.getName(), a.getValue()]))})),
    onFailure: (err) => resolve({error: err.code || err.name, message: err.message}),
  }));
}"""
RAW_ERROR = """async ([endpoint]) => {
  const resp = await fetch(endpoint, {method: 'POST', body: '{}', headers: {
    'Content-Type': 'application/x-amz-json-1.1',
    'X-Amz-Target': 'AWSCognitoIdentityProviderService.GetUser'}});
  return {status: resp.status, type: resp.headers.get('x-amzn-errortype'),
          requestId: resp.headers.get('x-amzn-requestid'), body: await resp.json()};
}"""


def test_a_page_on_another_origin_signs_up_and_in_with_amazon_cognito_identity_js(
        server: LiveServer, cognito: Any, site: StaticSite, chromium: Any) -> None:  # noqa: F811
    pool_id = oauth_pool(cognito, AutoVerifiedAttributes=["email"])
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="spa")["UserPoolClient"]["ClientId"]
    context = chromium.new_context()
    try:
        page = context.new_page()
        blocked: list[str] = []
        page.on("console", lambda msg: blocked.append(msg.text) if "CORS" in msg.text else None)
        page.goto(site.url + "/")
        page.add_script_tag(url=site.url + "/cognito.js")
        assert page.evaluate("location.origin") != server.url  # a cross-origin page

        signed_up = page.evaluate(SIGN_UP, [server.url, pool_id, client_id, "grace", PASSWORD, "grace@example.com"])
        assert signed_up.get("confirmed") is False, (signed_up, blocked)
        code = last_code(server, pool_id, username="grace", type="SIGN_UP")
        confirmed = page.evaluate(CONFIRM, [server.url, pool_id, client_id, "grace", code])
        assert confirmed == {"result": "SUCCESS"}, confirmed
        signed_in = page.evaluate(SIGN_IN, [server.url, pool_id, client_id, "grace", PASSWORD])
        assert signed_in.get("attributes", {}).get("email") == "grace@example.com", (signed_in, blocked)
        claims = json.loads(_b64url(signed_in["idToken"].split(".")[1]))
        assert claims["cognito:username"] == "grace" and claims["sub"] == signed_up["sub"]

        wrong = page.evaluate(SIGN_IN, [server.url, pool_id, client_id, "grace", "Wrong-pass1"])
        assert wrong["error"] == "NotAuthorizedException", wrong  # the error's name crossed origins too
        raw = page.evaluate(RAW_ERROR, [server.url])
        assert raw["status"] == 400 and raw["type"].startswith("InvalidParameterException:"), raw
        assert raw["requestId"] and raw["body"]["__type"] == "InvalidParameterException", raw
        assert blocked == []
    finally:
        context.close()


def _b64url(segment: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
