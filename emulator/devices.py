"""Users' devices: whether a pool tracks them (any member of its DeviceConfiguration),
the NewDeviceMetadata a sign-in hands out, a known device's SRP verifier, and whether a
remembered device stands in for MFA. A pool that tracks no devices costs a sign-in one
dictionary lookup here, nothing in the store."""

from __future__ import annotations

import secrets
import string
import uuid

from .api import Context
from .errors import ResourceNotFoundException
from .lookup import pool_region
from .records import Device, Pool, User

_GROUP_ALPHABET = string.ascii_letters + string.digits


def tracking(pool: Pool) -> bool:
    """Cognito: giving any member of DeviceConfiguration turns device tracking on."""
    return bool(pool.config.get("DeviceConfiguration"))


def new_device(ctx: Context, pool: Pool, user: User) -> Device:
    """The device a sign-in on a device the pool does not know yet hands out (not written)."""
    now = ctx.now()
    return Device(device_key=f"{pool_region(pool.id)}_{uuid.uuid4()}", pool_id=pool.id, sub=user.sub,
                  group_key="-" + "".join(secrets.choice(_GROUP_ALPHABET) for _ in range(9)),
                  status="not_remembered", confirmed=False, created=now, modified=now, last_ip=ctx.client_ip)


def hand_out(ctx: Context, device: Device) -> dict[str, str]:
    """NewDeviceMetadata: the device is written and waits, unconfirmed, for ConfirmDevice."""
    ctx.store.add_device(device)
    return {"DeviceKey": device.device_key, "DeviceGroupKey": device.group_key}


def known(ctx: Context, pool: Pool, user: User, device_key: str | None) -> Device | None:
    """The user's confirmed device of that key, if the pool tracks devices."""
    if not device_key or not tracking(pool):
        return None
    device = ctx.store.get_device(pool.id, user.sub, device_key)
    return device if device is not None and device.confirmed else None


def require(ctx: Context, pool: Pool, user: User, device_key: str, *, confirmed: bool = True) -> Device:
    device = ctx.store.get_device(pool.id, user.sub, device_key)
    if device is None or (confirmed and not device.confirmed):
        raise ResourceNotFoundException("Device does not exist.")
    return device


def skips_mfa(ctx: Context, pool: Pool, user: User, device_key: str | None) -> bool:
    """A remembered device signs in with device authentication instead of MFA where the
    pool's ChallengeRequiredOnNewDevice says so (DeviceConfigurationType)."""
    if not device_key or not (pool.config.get("DeviceConfiguration") or {}).get("ChallengeRequiredOnNewDevice"):
        return False
    device = known(ctx, pool, user, device_key)
    return device is not None and device.status == "remembered"


def authenticated(ctx: Context, device: Device) -> None:
    device.last_auth = ctx.now()
    device.last_ip = ctx.client_ip or device.last_ip
    ctx.store.put_device(device)


def confirm(ctx: Context, pool: Pool, device: Device, salt_hex: str, verifier_hex: str, name: str | None) -> bool:
    """Store the device's SRP salt and verifier; True when the user must still choose to
    remember it (DeviceOnlyRememberedOnUserPrompt), else it is remembered now."""
    prompt = bool((pool.config.get("DeviceConfiguration") or {}).get("DeviceOnlyRememberedOnUserPrompt"))
    device.salt, device.verifier, device.name = salt_hex, verifier_hex, name
    device.confirmed, device.status = True, "not_remembered" if prompt else "remembered"
    device.modified = ctx.now()
    ctx.store.put_device(device)
    return prompt
