"""Device authentication after a sign-in on a known device: DEVICE_SRP_AUTH (the
client's SRP_A for the device) and DEVICE_PASSWORD_VERIFIER (its proof). The device's SRP
is the user's with the device group key in place of the pool name, the device key in
place of the username and a secret the client generated at ConfirmDevice in place of the
password (amazon-cognito-identity-js's getDeviceResponse)."""

from __future__ import annotations

import base64
import secrets

from .. import devices, srp
from ..api import Response
from ..errors import NotAuthorizedException
from ..records import Challenge, User, same_secret
from .core import Attempt, consume, open_challenge, param, tokens
from .srp_auth import parse_srp_a, session_key


def _same_device(a: Attempt, challenge: Challenge) -> str:
    key = param(a.params, "DEVICE_KEY")
    if key != challenge.data.get("device_key"):
        raise NotAuthorizedException("Invalid device key given.")
    return key


async def device_srp_auth(a: Attempt, challenge: Challenge, user: User) -> Response:
    key = _same_device(a, challenge)
    device = devices.require(a.ctx, a.pool, user, key)
    big_a = parse_srp_a(a)
    consume(a, challenge)
    b, big_b = srp.server_ephemeral(str(device.verifier))
    secret_block = base64.b64encode(secrets.token_bytes(64)).decode()
    parameters = {
        # Minimal hex, as for the user's SALT: the clients re-pad it.
        "SALT": format(int(str(device.salt), 16), "x"), "SRP_B": format(big_b, "x"),
        "SECRET_BLOCK": secret_block, "USERNAME": user.username, "DEVICE_KEY": key,
    }
    data = {"A": format(big_a, "x"), "b": format(b, "x"), "B": format(big_b, "x")}
    # Found again by its secret block, as PASSWORD_VERIFIER (pycognito sends no Session).
    return open_challenge(a, user, "DEVICE_PASSWORD_VERIFIER", parameters, data=data,
                          session=session_key(secret_block))


async def device_password_verifier(a: Attempt, challenge: Challenge, user: User) -> Response:
    key = _same_device(a, challenge)
    consume(a, challenge)  # one answer per challenge, right or wrong
    device = devices.require(a.ctx, a.pool, user, key)
    expected = srp.expected_signature(
        pool_id=a.pool.id, realm=device.group_key, user_id=key, verifier_hex=str(device.verifier),
        a=int(challenge.data["A"], 16), b=int(challenge.data["b"], 16), big_b=int(challenge.data["B"], 16),
        secret_block=param(a.params, "PASSWORD_CLAIM_SECRET_BLOCK"), timestamp=param(a.params, "TIMESTAMP"),
    )
    if expected is None or not same_secret(expected, param(a.params, "PASSWORD_CLAIM_SIGNATURE")):
        raise NotAuthorizedException("Incorrect username or password.")
    a.device_verified = True
    a.token_source = "TokenGeneration_AuthenticateDevice"  # PreTokenGeneration's source for a device sign-in
    return await tokens(a, user)
