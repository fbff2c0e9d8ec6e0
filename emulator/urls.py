"""The one place that builds the issuer and every URL derived from it."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit

from .settings import Settings

# The hosted UI's OAuth 2.0 / OpenID Connect endpoints, by discovery-document key.
OAUTH_ENDPOINTS = {
    "authorization_endpoint": "/oauth2/authorize",
    "token_endpoint": "/oauth2/token",
    "userinfo_endpoint": "/oauth2/userInfo",
    "revocation_endpoint": "/oauth2/revoke",
    "end_session_endpoint": "/logout",
}


def base_url(settings: Settings, scheme: str, host_header: str) -> str:
    """The public base URL: the configured one, else the host the client used."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    return f"{scheme}://{host_header or f'{settings.host}:{settings.port}'}"


def issuer(settings: Settings, base: str, region: str, pool_id: str) -> str:
    if settings.issuer_style == "aws":
        # The pool id carries its region; the request's region is only a fallback.
        pool_region = pool_id.split("_", 1)[0] or region
        return f"https://cognito-idp.{pool_region}.amazonaws.com/{pool_id}"
    return f"{base}/{pool_id}"


def jwks_url(base: str, pool_id: str) -> str:
    # Always served here, even when issuers are minted in AWS's form.
    return f"{base}/{pool_id}/.well-known/jwks.json"


def pool_id_from_issuer(iss: str) -> str:
    return iss.rstrip("/").rsplit("/", 1)[-1]


def oauth_endpoints(base: str) -> dict[str, str]:
    return {key: f"{base}{path}" for key, path in OAUTH_ENDPOINTS.items()}


def page_url(base: str, path: str, params: dict[str, str] | None = None) -> str:
    """A hosted-UI page (`/login`, `/signup`, ...) on the host the browser used."""
    query = urlencode({k: v for k, v in (params or {}).items() if v})
    return f"{base}{path}" + (f"?{query}" if query else "")


def logo_url(base: str, pool_id: str, client_id: str, version: int) -> str:
    return f"{base}/_hosted/logo/{pool_id}/{client_id}?v={version}"


def stylesheet_url(base: str) -> str:
    return f"{base}/_hosted/hosted.css"


def app_redirect(uri: str, params: dict[str, str | None], *, fragment: bool = False) -> str:
    """An app's registered redirect URI with OAuth's answer added: in the query (code,
    errors) or in the fragment (implicit tokens); the URI's own query is kept."""
    parts = urlsplit(uri)
    answer = urlencode({k: v for k, v in params.items() if v is not None})
    if fragment:
        return urlunsplit(parts._replace(fragment=answer))
    query = f"{parts.query}&{answer}" if parts.query else answer
    return urlunsplit(parts._replace(query=query))
