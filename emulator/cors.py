"""CORS for the endpoints a browser page calls across origins, as Cognito serves them:
the JSON API (`/`, which amazon-cognito-identity-js, Amplify and the AWS SDKs call with
fetch), the OAuth endpoints single-page apps call (token, userInfo, revoke) and the
public discovery documents. Any origin; the methods each takes; the request headers the
SDKs send; the response headers they read. Never on the hosted UI's pages (browsers
reach those by navigation) nor on /_emulator/* (a page must not read or change state)."""

from __future__ import annotations

import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_PATHS = {"/": "POST", "/oauth2/token": "POST", "/oauth2/revoke": "POST", "/oauth2/userInfo": "GET, POST"}
_DISCOVERY = re.compile(r"/[^/]+/\.well-known/(?:jwks\.json|openid-configuration)")

# What the AWS SDKs (v2, v3), Amplify and amazon-cognito-identity-js send from a
# browser, signed or not; a page asking for any other header is refused by the browser.
ALLOW_HEADERS = ", ".join([
    "content-type", "x-amz-target", "x-amz-user-agent", "authorization", "amz-sdk-invocation-id",
    "amz-sdk-request", "cache-control", "x-amz-date", "x-amz-security-token", "x-amz-content-sha256",
    "x-amz-api-version", "x-amzn-trace-id",
])
# What the SDKs read from an answer: the request id and the error's name (the JS
# clients take it from x-amzn-errortype when the body does not say).
EXPOSE_HEADERS = "x-amzn-RequestId, x-amzn-ErrorType, x-amzn-ErrorMessage, Date"
_ANSWER = [(b"access-control-allow-origin", b"*"), (b"access-control-expose-headers", EXPOSE_HEADERS.encode())]


def allowed_methods(path: str) -> str | None:
    """The methods a cross-origin page may use on `path`; None where CORS is not served."""
    return _PATHS.get(path) or ("GET" if _DISCOVERY.fullmatch(path) else None)


class Cors:
    """ASGI middleware: answers preflights (OPTIONS) on the CORS paths itself, and adds
    the CORS headers to every answer there, errors included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        methods = allowed_methods(scope["path"]) if scope["type"] == "http" else None
        if methods is None:
            await self.app(scope, receive, send)
        elif scope["method"] == "OPTIONS":
            await _preflight(scope, methods, send)
        else:
            async def send_with_cors(message: Message) -> None:
                if message["type"] == "http.response.start":
                    message = {**message, "headers": [*message.get("headers", []), *_ANSWER]}
                await send(message)

            await self.app(scope, receive, send_with_cors)


async def _preflight(scope: Scope, methods: str, send: Send) -> None:
    headers = [
        (b"access-control-allow-origin", b"*"),
        (b"access-control-allow-methods", f"{methods}, OPTIONS".encode()),
        (b"access-control-allow-headers", ALLOW_HEADERS.encode()),
        (b"access-control-max-age", b"600"),
        (b"allow", f"{methods}, OPTIONS".encode()),
        (b"content-length", b"0"),
    ]
    # Chrome's Private Network Access: a public page may call a loopback emulator.
    if (b"access-control-request-private-network", b"true") in scope["headers"]:
        headers.append((b"access-control-allow-private-network", b"true"))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b""})
