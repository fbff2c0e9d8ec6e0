"""The one place that builds the issuer and every URL derived from it."""

from __future__ import annotations

from .settings import Settings


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
