"""Plain HTTP documents: health, each pool's JWKS and OpenID discovery document, and
those of identity pools' OpenID tokens."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from .api import Services
from .identity_pools.minting import identity_issuer
from .tokens import IDENTITY_KEY
from .urls import base_url, issuer, jwks_url, oauth_endpoints


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


def _pool_or_404(request: Request) -> tuple[Services, str] | JSONResponse:
    services: Services = request.app.state.services
    pool_id = request.path_params["pool_id"]
    if services.store.get_pool(pool_id) is None:
        return JSONResponse({"message": f"User pool {pool_id} does not exist."}, status_code=404)
    return services, pool_id


async def jwks(request: Request) -> JSONResponse:
    found = _pool_or_404(request)
    if isinstance(found, JSONResponse):
        return found
    services, pool_id = found
    return JSONResponse({"keys": [services.keys.get(pool_id).jwk]})


async def openid_configuration(request: Request) -> JSONResponse:
    found = _pool_or_404(request)
    if isinstance(found, JSONResponse):
        return found
    services, pool_id = found
    settings = services.settings
    base = base_url(settings, request.url.scheme, request.headers.get("host", ""))
    return JSONResponse(
        {
            "issuer": issuer(settings, base, settings.region, pool_id),
            "jwks_uri": jwks_url(base, pool_id),
            **oauth_endpoints(base),
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "token"],
            "scopes_supported": ["openid", "email", "phone", "profile"],
            "subject_types_supported": ["public"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }
    )


async def identity_jwks(request: Request) -> JSONResponse:
    """The key that signs GetOpenIdToken's tokens (AWS serves it at the same path)."""
    services: Services = request.app.state.services
    return JSONResponse({"keys": [services.keys.get(IDENTITY_KEY).jwk]})


async def identity_openid_configuration(request: Request) -> JSONResponse:
    services: Services = request.app.state.services
    base = base_url(services.settings, request.url.scheme, request.headers.get("host", ""))
    return JSONResponse({
        "issuer": identity_issuer(services.settings, base),
        "jwks_uri": f"{base}/cognito-identity/.well-known/jwks_uri",
        "id_token_signing_alg_values_supported": ["RS256"],
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public"],
    })
