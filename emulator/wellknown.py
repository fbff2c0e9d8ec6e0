"""Plain HTTP documents: health, each pool's JWKS and OpenID discovery document."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from .api import Services
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
