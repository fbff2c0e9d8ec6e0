"""What identity pools hand out: AWS credentials shaped as STS issues them, and OpenID
tokens (RS256 JWTs signed with the emulator's identity key, served as a JWKS at
/cognito-identity/.well-known/jwks_uri)."""

from __future__ import annotations

import base64
import json
import secrets
import string
from typing import Any

from .. import tokens
from ..api import Context
from ..settings import Settings
from ..store_identity import IdentityPool
from ..tokens import IDENTITY_KEY
from .common import pool_arn

CREDENTIALS_SECONDS = 3600  # STS's default for the session credentials Cognito asks for
AWS_ISSUER = "https://cognito-identity.amazonaws.com"
_KEY_ID_CHARS = string.ascii_uppercase + "234567"


def identity_issuer(settings: Settings, base: str) -> str:
    """`https://cognito-identity.amazonaws.com` in AWS's issuer style, else the emulator's
    own URL for it (where its discovery document and JWKS are)."""
    return AWS_ISSUER if settings.issuer_style == "aws" else f"{base}/cognito-identity"


def credentials(ctx: Context, role_arn: str, identity_id: str) -> dict[str, Any]:
    """Temporary credentials in STS's shape, random but well-formed. The session token
    (opaque to every client) is base64 of JSON naming the role and the identity, so that
    a test can see which role the pool's roles and mappings chose."""
    session = {"role": role_arn, "identity": identity_id, "nonce": secrets.token_urlsafe(48)}
    token = base64.b64encode(json.dumps(session, separators=(",", ":")).encode()).decode()
    return {
        "AccessKeyId": "ASIA" + "".join(secrets.choice(_KEY_ID_CHARS) for _ in range(16)),
        "SecretKey": base64.b64encode(secrets.token_bytes(30)).decode(),
        "SessionToken": token,
        "Expiration": int(ctx.now()) + CREDENTIALS_SECONDS,
    }


def open_id_claims(ctx: Context, pool: IdentityPool, identity_id: str, amr: list[str],
                   seconds: int) -> dict[str, Any]:
    iat = int(ctx.now())
    return {
        "sub": identity_id, "aud": pool.id, "amr": amr, "iss": identity_issuer(ctx.settings, ctx.base_url),
        "https://cognito-identity.amazonaws.com/identity-pool-arn": pool_arn(ctx, pool.id),
        "exp": iat + seconds, "iat": iat,
    }


async def open_id_token(ctx: Context, claims: dict[str, Any]) -> str:
    key = ctx.keys.get(IDENTITY_KEY)
    return await ctx.offload(tokens.sign, key, claims)
