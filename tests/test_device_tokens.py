"""Devices and the tokens around them, with boto3 and pycognito: a device-tracked
sign-in's refresh token is bound to its device (refreshing needs that device's key, the
device confirmed and not forgotten), and what sign-outs, password changes and resets and
disabling a user do to devices and to the refresh tokens tied to them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from pycognito.aws_srp import AWSSRP
from pycognito.exceptions import SMSMFAChallengeException

from .conftest import PASSWORD, LiveServer
from .outbox import last_code as last_recovery_code
from .test_devices import Device, attributes, new_device, password_sign_in, tracking_pool, user
from .test_mfa import last_code
from .test_tokens import claims
from .test_triggers import Recorder

NEW_PASSWORD = "N3wPassword!x"
OTHER_KEY = "us-east-1_00000000-0000-0000-0000-000000000000"


def refresh(cognito: Any, client_id: str, token: str, device_key: str | None = None) -> dict[str, Any]:
    params = {"REFRESH_TOKEN": token, **({"DEVICE_KEY": device_key} if device_key else {})}
    return cognito.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",  # type: ignore[no-any-return]
                                 AuthParameters=params)["AuthenticationResult"]


def fetch(cognito: Any, client_id: str, token: str, device_key: str | None = None) -> dict[str, Any]:
    extra = {"DeviceKey": device_key} if device_key else {}
    return cognito.get_tokens_from_refresh_token(  # type: ignore[no-any-return]
        ClientId=client_id, RefreshToken=token, **extra)["AuthenticationResult"]


def refused(cognito: Any, call: Callable[[], Any], message: str = "Invalid Refresh Token") -> None:
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match=message):
        call()


# -- the device key on refresh ------------------------------------------------------------


def test_a_new_devices_refresh_token_needs_that_device(cognito: Any) -> None:
    pool_id, client_id = tracking_pool(cognito)
    user(cognito, pool_id)
    device, result = new_device(cognito, client_id)
    token = result["RefreshToken"]
    # Without a key, or with another device's, the token is refused (AWS Knowledge Center,
    # "Invalid Refresh Token" error): by both refresh operations.
    other, _ = new_device(cognito, client_id, "phone")
    for key in (None, other.key, OTHER_KEY):
        refused(cognito, lambda key=key: refresh(cognito, client_id, token, key))  # type: ignore[misc]
        refused(cognito, lambda key=key: fetch(cognito, client_id, token, key))  # type: ignore[misc]
    # With its own, confirmed key it refreshes, and the new access token names the device.
    assert claims(refresh(cognito, client_id, token, device.key)["AccessToken"])["device_key"] == device.key
    assert claims(fetch(cognito, client_id, token, device.key)["AccessToken"])["device_key"] == device.key


def test_an_unconfirmed_or_forgotten_device_refreshes_nothing(cognito: Any) -> None:
    pool_id, client_id = tracking_pool(cognito)
    user(cognito, pool_id)
    unconfirmed = password_sign_in(cognito, client_id)["AuthenticationResult"]
    key = unconfirmed["NewDeviceMetadata"]["DeviceKey"]
    refused(cognito, lambda: refresh(cognito, client_id, unconfirmed["RefreshToken"], key))
    refused(cognito, lambda: fetch(cognito, client_id, unconfirmed["RefreshToken"], key))
    device, result = new_device(cognito, client_id)
    assert refresh(cognito, client_id, result["RefreshToken"], device.key)["AccessToken"]
    cognito.forget_device(AccessToken=result["AccessToken"], DeviceKey=device.key)
    refused(cognito, lambda: refresh(cognito, client_id, result["RefreshToken"], device.key))
    refused(cognito, lambda: fetch(cognito, client_id, result["RefreshToken"], device.key))


def test_a_device_sign_ins_refresh_token_needs_the_device(cognito: Any) -> None:
    pool_id, client_id = tracking_pool(cognito)
    user(cognito, pool_id)
    device, _ = new_device(cognito, client_id)
    tokens = device.srp(cognito, pool_id, client_id).authenticate_user()["AuthenticationResult"]
    refused(cognito, lambda: refresh(cognito, client_id, tokens["RefreshToken"]))
    refused(cognito, lambda: fetch(cognito, client_id, tokens["RefreshToken"]))
    assert claims(fetch(cognito, client_id, tokens["RefreshToken"], device.key)["AccessToken"])[
        "device_key"] == device.key


def test_sign_ins_without_a_device_refresh_without_one(cognito: Any) -> None:
    pool_id, client_id = tracking_pool(cognito)
    user(cognito, pool_id)
    # Admin flows track no devices: their refresh token is bound to none.
    admin = cognito.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                        AuthParameters={"USERNAME": "dana", "PASSWORD": PASSWORD})
    token = admin["AuthenticationResult"]["RefreshToken"]
    assert "device_key" not in claims(refresh(cognito, client_id, token)["AccessToken"])
    # A pool that stops tracking devices no longer asks its old tokens for one.
    _, result = new_device(cognito, client_id)
    cognito.update_user_pool(UserPoolId=pool_id)
    assert refresh(cognito, client_id, result["RefreshToken"])["AccessToken"]


# -- sign-outs, passwords and disabling ---------------------------------------------------


def test_global_sign_outs_end_device_tokens_but_keep_the_devices(cognito: Any) -> None:
    pool_id, client_id = tracking_pool(cognito)
    user(cognito, pool_id)
    device, result = new_device(cognito, client_id)
    for sign_out in (lambda access: cognito.global_sign_out(AccessToken=access),
                     lambda access: cognito.admin_user_global_sign_out(UserPoolId=pool_id, Username="dana")):
        tokens = device.srp(cognito, pool_id, client_id).authenticate_user()["AuthenticationResult"]
        sign_out(tokens["AccessToken"])
        # Every refresh token dies, the device's too (GlobalSignOut's documentation) ...
        refused(cognito, lambda t=tokens: fetch(cognito, client_id, t["RefreshToken"], device.key),  # type: ignore[misc]
                "Refresh Token has been revoked")
        refused(cognito, lambda: refresh(cognito, client_id, result["RefreshToken"], device.key),
                "Refresh Token has been revoked")
        # ... but the device stays remembered and still signs in (our choice: the docs say nothing).
        listed = cognito.admin_list_devices(UserPoolId=pool_id, Username="dana")["Devices"]
        assert [d["DeviceKey"] for d in listed] == [device.key]
        assert attributes(listed[0])["dev:device_remembered_status"] == "remembered"
    again = device.srp(cognito, pool_id, client_id).authenticate_user()["AuthenticationResult"]
    assert claims(again["AccessToken"])["device_key"] == device.key


def _change(cognito: Any, server: LiveServer, pool_id: str, client_id: str, how: str, access: str) -> None:
    if how == "ChangePassword":
        cognito.change_password(AccessToken=access, PreviousPassword=PASSWORD, ProposedPassword=NEW_PASSWORD)
    elif how == "AdminSetUserPassword":
        cognito.admin_set_user_password(UserPoolId=pool_id, Username="dana", Password=NEW_PASSWORD, Permanent=True)
    else:
        if how == "AdminResetUserPassword":
            cognito.admin_reset_user_password(UserPoolId=pool_id, Username="dana")
        else:
            cognito.forgot_password(ClientId=client_id, Username="dana")
        code = last_recovery_code(server, pool_id, type="FORGOT_PASSWORD")
        cognito.confirm_forgot_password(ClientId=client_id, Username="dana", ConfirmationCode=code,
                                        Password=NEW_PASSWORD)


@pytest.mark.parametrize("how", ["ChangePassword", "AdminSetUserPassword", "ForgotPassword",
                                 "AdminResetUserPassword"])
def test_password_changes_keep_devices_and_their_tokens(cognito: Any, server: LiveServer, how: str) -> None:
    pool_id, client_id = tracking_pool(cognito)
    user(cognito, pool_id, email="dana@example.com", email_verified="true")
    device, result = new_device(cognito, client_id)
    _change(cognito, server, pool_id, client_id, how, result["AccessToken"])
    # Cognito documents no revocation on a password change: refresh tokens live on.
    assert fetch(cognito, client_id, result["RefreshToken"], device.key)["AccessToken"]
    assert [d["DeviceKey"] for d in cognito.admin_list_devices(UserPoolId=pool_id, Username="dana")["Devices"]] \
        == [device.key]
    tokens = device.srp(cognito, pool_id, client_id, password=NEW_PASSWORD).authenticate_user()
    assert claims(tokens["AuthenticationResult"]["AccessToken"])["device_key"] == device.key


def test_a_remembered_device_still_stands_in_for_mfa_after_a_reset(cognito: Any, server: LiveServer) -> None:
    pool_id, client_id = tracking_pool(cognito, mfa=True)
    user(cognito, pool_id, phone_number="+15555550123", email="dana@example.com", email_verified="true")
    cognito.admin_set_user_mfa_preference(UserPoolId=pool_id, Username="dana",
                                          SMSMfaSettings={"Enabled": True, "PreferredMfa": True})
    challenge = password_sign_in(cognito, client_id)
    result = cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="SMS_MFA", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "dana", "SMS_MFA_CODE": last_code(server, pool_id, "SMS")},
    )["AuthenticationResult"]
    device = Device(cognito, result)
    _change(cognito, server, pool_id, client_id, "ForgotPassword", result["AccessToken"])
    tokens = device.srp(cognito, pool_id, client_id, password=NEW_PASSWORD).authenticate_user()
    assert claims(tokens["AuthenticationResult"]["AccessToken"])["device_key"] == device.key
    # Forgetting it is how an app asks for the code again: the JS clients, told the device
    # does not exist, sign in without it.
    cognito.admin_forget_device(UserPoolId=pool_id, Username="dana", DeviceKey=device.key)
    with pytest.raises(cognito.exceptions.ResourceNotFoundException, match="Device does not exist"):
        device.srp(cognito, pool_id, client_id, password=NEW_PASSWORD).authenticate_user()
    with pytest.raises(SMSMFAChallengeException):
        AWSSRP(username="dana", password=NEW_PASSWORD, pool_id=pool_id, client_id=client_id,
               client=cognito).authenticate_user()


def test_disabling_a_user_ends_device_tokens_and_keeps_devices(cognito: Any) -> None:
    pool_id, client_id = tracking_pool(cognito)
    user(cognito, pool_id)
    device, result = new_device(cognito, client_id)
    cognito.admin_disable_user(UserPoolId=pool_id, Username="dana")
    refused(cognito, lambda: fetch(cognito, client_id, result["RefreshToken"], device.key),
            "Refresh Token has been revoked")
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="User is disabled"):
        device.srp(cognito, pool_id, client_id).authenticate_user()
    assert len(cognito.admin_list_devices(UserPoolId=pool_id, Username="dana")["Devices"]) == 1
    cognito.admin_enable_user(UserPoolId=pool_id, Username="dana")
    refused(cognito, lambda: fetch(cognito, client_id, result["RefreshToken"], device.key),
            "Refresh Token has been revoked")
    tokens = device.srp(cognito, pool_id, client_id).authenticate_user()["AuthenticationResult"]
    assert claims(tokens["AccessToken"])["device_key"] == device.key


def test_a_device_sign_in_is_the_authenticate_device_token_source(cognito: Any, server: LiveServer) -> None:
    pool_id, client_id = tracking_pool(cognito)
    user(cognito, pool_id)
    device, _ = new_device(cognito, client_id)
    fn = Recorder()
    server.triggers.set(pool_id, "PreTokenGeneration", fn)
    try:
        device.srp(cognito, pool_id, client_id).authenticate_user()
    finally:
        server.triggers.clear()
    assert [e["triggerSource"] for e in fn.events] == ["TokenGeneration_AuthenticateDevice"]
