"""Devices with real clients: NewDeviceMetadata on a pool that tracks devices,
ConfirmDevice with a verifier pycognito computes, device SRP (DEVICE_SRP_AUTH and
DEVICE_PASSWORD_VERIFIER) through pycognito, a remembered device standing in for MFA,
the device operations and their Admin forms, refresh with DEVICE_KEY, and errors."""

from __future__ import annotations

import json
import re
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from pycognito.aws_srp import AWSSRP, generate_hash_device
from pycognito.exceptions import SMSMFAChallengeException

from .conftest import PASSWORD, LiveServer
from .test_mfa import SMS_ON, last_code
from .test_tokens import claims

FLOWS = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH",
         "ALLOW_REFRESH_TOKEN_AUTH"]
KEY_PATTERN = re.compile(r"^us-east-1_[0-9a-f-]{36}$")


def tracking_pool(cognito: Any, *, prompt: bool = False, challenge: bool = True, mfa: bool = False) -> tuple[str, str]:
    pool_id = cognito.create_user_pool(
        PoolName=f"dev-{uuid.uuid4().hex[:6]}",
        DeviceConfiguration={"ChallengeRequiredOnNewDevice": challenge, "DeviceOnlyRememberedOnUserPrompt": prompt},
    )["UserPool"]["Id"]
    if mfa:
        cognito.set_user_pool_mfa_config(UserPoolId=pool_id, MfaConfiguration="OPTIONAL", SmsMfaConfiguration=SMS_ON)
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="app",
                                                ExplicitAuthFlows=FLOWS)["UserPoolClient"]["ClientId"]
    return pool_id, client_id


def user(cognito: Any, pool_id: str, name: str = "dana", **attrs: str) -> str:
    cognito.admin_create_user(UserPoolId=pool_id, Username=name, MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": k, "Value": v} for k, v in attrs.items()])
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=name, Password=PASSWORD, Permanent=True)
    return name


def password_sign_in(cognito: Any, client_id: str, name: str = "dana", **extra: str) -> dict[str, Any]:
    return cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",  # type: ignore[no-any-return]
                                 AuthParameters={"USERNAME": name, "PASSWORD": PASSWORD, **extra})


class Device:
    """A device as a client keeps it: key, group key and its own secret."""

    def __init__(self, cognito: Any, result: dict[str, Any], name: str = "laptop") -> None:
        metadata = result["NewDeviceMetadata"]
        self.key, self.group = metadata["DeviceKey"], metadata["DeviceGroupKey"]
        self.password, config = generate_hash_device(self.group, self.key)
        self.confirmed = cognito.confirm_device(AccessToken=result["AccessToken"], DeviceKey=self.key,
                                                DeviceSecretVerifierConfig=config, DeviceName=name)

    def srp(self, cognito: Any, pool_id: str, client_id: str, name: str = "dana",
            password: str = PASSWORD) -> AWSSRP:
        return AWSSRP(username=name, password=password, pool_id=pool_id, client_id=client_id, client=cognito,
                      device_key=self.key, device_group_key=self.group, device_password=self.password)


def new_device(cognito: Any, client_id: str, name: str = "laptop") -> tuple[Device, dict[str, Any]]:
    result = password_sign_in(cognito, client_id)["AuthenticationResult"]
    return Device(cognito, result, name), result


def attributes(device: dict[str, Any]) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in device["DeviceAttributes"]}


def test_new_device_metadata_only_where_devices_are_tracked(cognito: Any) -> None:
    pool_id, client_id = tracking_pool(cognito)
    user(cognito, pool_id)
    result = password_sign_in(cognito, client_id)["AuthenticationResult"]
    metadata = result["NewDeviceMetadata"]
    assert KEY_PATTERN.match(metadata["DeviceKey"]) and metadata["DeviceGroupKey"]
    assert "device_key" not in claims(result["AccessToken"])
    # Admin flows track no devices; nor does a pool without DeviceConfiguration.
    admin = cognito.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                        AuthParameters={"USERNAME": "dana", "PASSWORD": PASSWORD})
    assert "NewDeviceMetadata" not in admin["AuthenticationResult"]
    plain = cognito.create_user_pool(PoolName="plain")["UserPool"]["Id"]
    plain_client = cognito.create_user_pool_client(UserPoolId=plain, ClientName="c",
                                                   ExplicitAuthFlows=FLOWS)["UserPoolClient"]["ClientId"]
    user(cognito, plain)
    assert "NewDeviceMetadata" not in password_sign_in(cognito, plain_client)["AuthenticationResult"]


def test_confirm_device_and_the_device_operations(cognito: Any, pool_id: str) -> None:
    pool_id, client_id = tracking_pool(cognito)
    user(cognito, pool_id)
    device, result = new_device(cognito, client_id)
    assert device.confirmed["UserConfirmationNecessary"] is False
    access = result["AccessToken"]
    listed = cognito.list_devices(AccessToken=access)["Devices"]
    assert [d["DeviceKey"] for d in listed] == [device.key]
    assert attributes(listed[0]) == {"device_status": "valid", "device_name": "laptop",
                                     "dev:device_remembered_status": "remembered", "last_ip_used": "127.0.0.1"}
    got = cognito.get_device(AccessToken=access, DeviceKey=device.key)["Device"]
    assert got["DeviceKey"] == device.key and got["DeviceCreateDate"]
    assert cognito.admin_get_device(UserPoolId=pool_id, Username="dana", DeviceKey=device.key)["Device"] == got
    cognito.update_device_status(AccessToken=access, DeviceKey=device.key, DeviceRememberedStatus="not_remembered")
    admin_listed = cognito.admin_list_devices(UserPoolId=pool_id, Username="dana")["Devices"]
    assert attributes(admin_listed[0])["dev:device_remembered_status"] == "not_remembered"
    cognito.admin_update_device_status(UserPoolId=pool_id, Username="dana", DeviceKey=device.key,
                                       DeviceRememberedStatus="remembered")
    assert attributes(cognito.get_device(AccessToken=access, DeviceKey=device.key)["Device"])[
        "dev:device_remembered_status"] == "remembered"
    cognito.forget_device(AccessToken=access, DeviceKey=device.key)
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.get_device(AccessToken=access, DeviceKey=device.key)
    other, _ = new_device(cognito, client_id, "phone")
    cognito.admin_forget_device(UserPoolId=pool_id, Username="dana", DeviceKey=other.key)
    assert cognito.admin_list_devices(UserPoolId=pool_id, Username="dana")["Devices"] == []


def test_prompted_remembering(cognito: Any) -> None:
    pool_id, client_id = tracking_pool(cognito, prompt=True)
    user(cognito, pool_id)
    device, result = new_device(cognito, client_id)
    assert device.confirmed["UserConfirmationNecessary"] is True
    got = cognito.get_device(AccessToken=result["AccessToken"], DeviceKey=device.key)["Device"]
    assert attributes(got)["dev:device_remembered_status"] == "not_remembered"


def test_device_srp_sign_in_with_pycognito(cognito: Any, server: LiveServer) -> None:
    pool_id, client_id = tracking_pool(cognito)
    user(cognito, pool_id)
    device, _ = new_device(cognito, client_id)
    server.clock.advance(60)
    tokens = device.srp(cognito, pool_id, client_id).authenticate_user()["AuthenticationResult"]
    assert "NewDeviceMetadata" not in tokens
    assert claims(tokens["AccessToken"])["device_key"] == device.key
    got = cognito.get_device(AccessToken=tokens["AccessToken"], DeviceKey=device.key)["Device"]
    assert (got["DeviceLastAuthenticatedDate"] - got["DeviceCreateDate"]).total_seconds() >= 60
    # Refresh with the device: its key stays in the access tokens; another key is refused.
    again = cognito.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters={
        "REFRESH_TOKEN": tokens["RefreshToken"], "DEVICE_KEY": device.key})["AuthenticationResult"]
    assert claims(again["AccessToken"])["device_key"] == device.key
    fetched = cognito.get_tokens_from_refresh_token(ClientId=client_id, RefreshToken=tokens["RefreshToken"],
                                                    DeviceKey=device.key)["AuthenticationResult"]
    assert claims(fetched["AccessToken"])["device_key"] == device.key
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="Invalid Refresh Token"):
        cognito.get_tokens_from_refresh_token(ClientId=client_id, RefreshToken=tokens["RefreshToken"],
                                              DeviceKey="us-east-1_00000000-0000-0000-0000-000000000000")


def test_a_wrong_device_secret_is_refused(cognito: Any) -> None:
    pool_id, client_id = tracking_pool(cognito)
    user(cognito, pool_id)
    device, _ = new_device(cognito, client_id)
    device.password = "not-the-device-secret"
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="Incorrect username or password"):
        device.srp(cognito, pool_id, client_id).authenticate_user()


def test_remembered_device_stands_in_for_mfa(cognito: Any, server: LiveServer) -> None:
    pool_id, client_id = tracking_pool(cognito, mfa=True)
    user(cognito, pool_id, phone_number="+15555550123")
    # The first sign-in passes SMS MFA, and is then a new device to confirm.
    cognito.admin_set_user_mfa_preference(UserPoolId=pool_id, Username="dana",
                                          SMSMfaSettings={"Enabled": True, "PreferredMfa": True})
    challenge = password_sign_in(cognito, client_id)
    result = cognito.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="SMS_MFA", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": "dana", "SMS_MFA_CODE": last_code(server, pool_id, "SMS")},
    )["AuthenticationResult"]
    device = Device(cognito, result)
    # Remembered: the device's SRP instead of a code.
    tokens = device.srp(cognito, pool_id, client_id).authenticate_user()["AuthenticationResult"]
    assert claims(tokens["AccessToken"])["device_key"] == device.key
    # Not remembered: the code again.
    cognito.update_device_status(AccessToken=tokens["AccessToken"], DeviceKey=device.key,
                                 DeviceRememberedStatus="not_remembered")
    with pytest.raises(SMSMFAChallengeException):
        device.srp(cognito, pool_id, client_id).authenticate_user()


def test_device_errors(cognito: Any) -> None:
    pool_id, client_id = tracking_pool(cognito)
    user(cognito, pool_id)
    user(cognito, pool_id, "eve")
    device, result = new_device(cognito, client_id)
    # Confirmed once only; someone else's device is not found.
    with pytest.raises(cognito.exceptions.DeviceKeyExistsException):
        Device(cognito, {**result, "NewDeviceMetadata": {"DeviceKey": device.key, "DeviceGroupKey": device.group}})
    eve = password_sign_in(cognito, client_id, "eve")["AuthenticationResult"]["AccessToken"]
    for call in (lambda: cognito.get_device(AccessToken=eve, DeviceKey=device.key),
                 lambda: cognito.forget_device(AccessToken=eve, DeviceKey=device.key),
                 lambda: cognito.update_device_status(AccessToken=eve, DeviceKey=device.key,
                                                      DeviceRememberedStatus="remembered"),
                 lambda: cognito.admin_get_device(UserPoolId=pool_id, Username="eve", DeviceKey=device.key)):
        with pytest.raises(cognito.exceptions.ResourceNotFoundException, match="Device does not exist"):
            call()
    fresh = password_sign_in(cognito, client_id)["AuthenticationResult"]
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.confirm_device(AccessToken=fresh["AccessToken"], DeviceKey=fresh["NewDeviceMetadata"]["DeviceKey"],
                               DeviceSecretVerifierConfig={"Salt": "!!", "PasswordVerifier": "!!"})
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.admin_list_devices(UserPoolId=pool_id, Username="nobody")
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_forget_device(UserPoolId=pool_id, Username="nobody", DeviceKey=device.key)


def test_unknown_device_key_at_the_password_verifier(cognito: Any) -> None:
    """amazon-cognito-identity-js retries on a ResourceNotFoundException naming the device."""
    pool_id, client_id = tracking_pool(cognito)
    user(cognito, pool_id)
    srp = AWSSRP(username="dana", password=PASSWORD, pool_id=pool_id, client_id=client_id, client=cognito,
                 device_key="us-east-1_11111111-1111-1111-1111-111111111111", device_group_key="-x",
                 device_password="x")
    with pytest.raises(cognito.exceptions.ResourceNotFoundException, match="Device does not exist"):
        srp.authenticate_user()


def test_list_devices_pages(cognito: Any) -> None:
    pool_id, client_id = tracking_pool(cognito)
    user(cognito, pool_id)
    keys = sorted(new_device(cognito, client_id, f"d{i}")[0].key for i in range(3))
    seen, token = [], None
    while True:
        page = cognito.admin_list_devices(UserPoolId=pool_id, Username="dana", Limit=2,
                                          **({"PaginationToken": token} if token else {}))
        seen += [d["DeviceKey"] for d in page["Devices"]]
        token = page.get("PaginationToken")
        if not token:
            break
    assert seen == keys


def test_amazon_cognito_identity_js_device_journey(node_clients: Path, cognito: Any, server: LiveServer) -> None:
    pool_id, client_id = tracking_pool(cognito, prompt=True)
    user(cognito, pool_id, phone_number="+15555550123")
    done = subprocess.run(
        ["node", str(node_clients / "devices_journey.mjs"), server.url, pool_id, client_id, "dana", PASSWORD],
        capture_output=True, text=True, timeout=120, check=True,
    )
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["ok"], out
    # The library confirmed the device itself; the pool asks the user before remembering.
    assert out["firstConfirmationNecessary"] is True and out["firstDeviceKeyClaim"] is None
    [listed] = out["devices"]
    assert KEY_PATTERN.match(listed["key"])
    assert {"Name": "dev:device_remembered_status", "Value": "remembered"} in listed["attributes"]
    # The second sign-in went through DEVICE_SRP_AUTH: its tokens name the device, as do
    # the refreshed ones (refreshSession sends DEVICE_KEY).
    assert out["secondDeviceKeyClaim"] == listed["key"] == out["refreshedDeviceKeyClaim"]
    assert out["mfaOptions"] == [{"DeliveryMedium": "SMS", "AttributeName": "phone_number"}]
    assert out["mfaOptionsAfterDisable"] is None
    assert out["devicesAfterForget"] == 0


def test_amplify_v6_device_journey(node_clients: Path, cognito: Any, server: LiveServer) -> None:
    pool_id, client_id = tracking_pool(cognito, prompt=True)
    user(cognito, pool_id)
    done = subprocess.run(
        ["node", str(node_clients / "amplify_devices.mjs"), server.url, pool_id, client_id, "dana", PASSWORD],
        capture_output=True, text=True, timeout=120, check=True,
    )
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["ok"], out
    assert out["firstDeviceKeyClaim"] is None  # a new device: NewDeviceMetadata, confirmed by Amplify
    [listed] = out["devices"]
    assert KEY_PATTERN.match(listed["id"]) and listed["attributes"]["dev:device_remembered_status"] == "remembered"
    # Signed in again on the remembered device (DEVICE_SRP_AUTH), and refreshed with it.
    assert out["secondDeviceKeyClaim"] == listed["id"] == out["refreshedDeviceKeyClaim"]
    assert out["devicesAfterForget"] == 0


def test_get_and_forget_device_without_an_access_token(cognito: Any) -> None:
    """The model leaves AccessToken optional on these two (the fuzz found a 500 here)."""
    for call in (cognito.get_device, cognito.forget_device):
        with pytest.raises(cognito.exceptions.NotAuthorizedException, match="Invalid Access Token"):
            call(DeviceKey="us-east-1_00000000-0000-0000-0000-000000000000")
