"""Devices: ConfirmDevice (a sign-in's new device and its SRP verifier), and getting,
listing, (not) remembering and forgetting a user's devices, by access token and in the
Admin forms."""

from __future__ import annotations

import base64
import binascii

from .. import devices, paging
from ..api import Context, Request, Response, action
from ..errors import (
    DeviceKeyExistsException,
    InvalidParameterException,
    ResourceNotFoundException,
    UserNotFoundException,
)
from ..issuing import authenticate
from ..lookup import find_user, require_pool
from ..records import Device, Pool, User


def _hex_of(value: str | None, name: str) -> str:
    try:
        raw = base64.b64decode(value or "", validate=True)
    except (binascii.Error, ValueError):
        raise InvalidParameterException(f"DeviceSecretVerifierConfig.{name} is not base64.") from None
    if not raw or not int.from_bytes(raw, "big"):
        raise InvalidParameterException(f"DeviceSecretVerifierConfig.{name} is required.")
    return raw.hex()


@action("ConfirmDevice")
def confirm_device(ctx: Context, req: Request) -> Response:
    pool, user, _ = authenticate(ctx, req["AccessToken"])
    device = devices.require(ctx, pool, user, req["DeviceKey"], confirmed=False)
    if device.confirmed:
        raise DeviceKeyExistsException("Device key already exists.")
    config = req.get("DeviceSecretVerifierConfig") or {}
    salt, verifier = _hex_of(config.get("Salt"), "Salt"), _hex_of(config.get("PasswordVerifier"), "PasswordVerifier")
    necessary = devices.confirm(ctx, pool, device, salt, verifier, req.get("DeviceName"))
    return {"UserConfirmationNecessary": necessary}


def _update_status(ctx: Context, device: Device, status: str) -> None:
    device.status, device.modified = status, ctx.now()
    ctx.store.put_device(device)


def _list(ctx: Context, pool: Pool, user: User, req: Request, after: str) -> Response:
    limit = req.get("Limit") or 60
    rows = ctx.store.list_devices(pool.id, user.sub, after, limit + 1)
    return paging.listing([(d.device_key, d) for d in rows], limit, "Devices", Device.to_wire,
                          token_name="PaginationToken")


@action("GetDevice")
def get_device(ctx: Context, req: Request) -> Response:
    # The model leaves AccessToken optional here and in ForgetDevice: none is an invalid one.
    pool, user, _ = authenticate(ctx, req.get("AccessToken") or "")
    return {"Device": devices.require(ctx, pool, user, req["DeviceKey"]).to_wire()}


@action("ListDevices")
def list_devices(ctx: Context, req: Request) -> Response:
    after = paging.decode(req.get("PaginationToken"))  # a bad one is a bad parameter first
    pool, user, _ = authenticate(ctx, req["AccessToken"])
    return _list(ctx, pool, user, req, after)


@action("UpdateDeviceStatus")
def update_device_status(ctx: Context, req: Request) -> Response:
    pool, user, _ = authenticate(ctx, req["AccessToken"])
    _update_status(ctx, devices.require(ctx, pool, user, req["DeviceKey"]), req.get("DeviceRememberedStatus")
                   or "not_remembered")
    return {}


@action("ForgetDevice")
def forget_device(ctx: Context, req: Request) -> Response:
    pool, user, _ = authenticate(ctx, req.get("AccessToken") or "")
    ctx.store.delete_device(devices.require(ctx, pool, user, req["DeviceKey"]).device_key)
    return {}


def _admin_subject(ctx: Context, req: Request, *, user_error: bool = True) -> tuple[Pool, User]:
    """AdminGetDevice and AdminListDevices list no UserNotFoundException: for them an
    unknown user is a resource not found."""
    pool = require_pool(ctx, req["UserPoolId"])
    user = find_user(ctx, pool, req["Username"])
    if user is None:
        raise UserNotFoundException("User does not exist.") if user_error else \
            ResourceNotFoundException("User does not exist.")
    return pool, user


@action("AdminGetDevice")
def admin_get_device(ctx: Context, req: Request) -> Response:
    pool, user = _admin_subject(ctx, req, user_error=False)
    return {"Device": devices.require(ctx, pool, user, req["DeviceKey"]).to_wire()}


@action("AdminListDevices")
def admin_list_devices(ctx: Context, req: Request) -> Response:
    after = paging.decode(req.get("PaginationToken"))
    pool, user = _admin_subject(ctx, req, user_error=False)
    return _list(ctx, pool, user, req, after)


@action("AdminUpdateDeviceStatus")
def admin_update_device_status(ctx: Context, req: Request) -> Response:
    pool, user = _admin_subject(ctx, req)
    _update_status(ctx, devices.require(ctx, pool, user, req["DeviceKey"]), req.get("DeviceRememberedStatus")
                   or "not_remembered")
    return {}


@action("AdminForgetDevice")
def admin_forget_device(ctx: Context, req: Request) -> Response:
    pool, user = _admin_subject(ctx, req)
    ctx.store.delete_device(devices.require(ctx, pool, user, req["DeviceKey"]).device_key)
    return {}


