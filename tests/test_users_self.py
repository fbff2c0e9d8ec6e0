"""Self-service user actions with real boto3: SignUp, and what a signed-in user does with
an access token (GetUser, UpdateUserAttributes, DeleteUserAttributes, ChangePassword,
DeleteUser), under the client's read/write permissions and the pool's schema."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from typing import Any

import pytest

from .conftest import PASSWORD, confirmed_user, sign_in

POLICY = {"PasswordPolicy": {"MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True,
                             "RequireNumbers": True, "RequireSymbols": False}}
SCHEMA = [
    {"Name": "email", "AttributeDataType": "String", "Mutable": True, "Required": True},
    {"Name": "tier", "AttributeDataType": "String", "Mutable": False},
    {"Name": "level", "AttributeDataType": "Number", "Mutable": True,
     "NumberAttributeConstraints": {"MinValue": "1", "MaxValue": "10"}},
]
FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


def attrs(**values: str) -> list[dict[str, str]]:
    return [{"Name": k.replace("__", ":"), "Value": v} for k, v in values.items()]


def as_dict(items: list[dict[str, str]]) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in items}


def secret_hash(secret: str, username: str, client_id: str) -> str:
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def new_client(cognito: Any, pool_id: str, **options: Any) -> dict[str, Any]:
    return cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="c", ExplicitAuthFlows=FLOWS,
                                           **options)["UserPoolClient"]


def me(cognito: Any, token: str) -> dict[str, str]:
    return as_dict(cognito.get_user(AccessToken=token)["UserAttributes"])


@pytest.fixture
def schema_pool(cognito: Any) -> str:
    return cognito.create_user_pool(PoolName=f"schema-{uuid.uuid4().hex[:8]}", Policies=POLICY,
                                    Schema=SCHEMA)["UserPool"]["Id"]


@pytest.fixture
def schema_client(cognito: Any, schema_pool: str) -> str:
    return new_client(cognito, schema_pool)["ClientId"]


@pytest.fixture
def dora_token(cognito: Any, schema_pool: str, schema_client: str) -> str:
    """A signed-in user of the schema pool, through the default (read/write all) client."""
    confirmed_user(cognito, schema_pool, "dora", **{"email": "d@example.com", "given_name": "Dora",
                                                    "custom:tier": "gold"})
    return str(sign_in(cognito, schema_client, "dora")["AccessToken"])


# -- SignUp -------------------------------------------------------------------------------


def test_sign_up_creates_an_unconfirmed_user(cognito: Any, pool_id: str, client_id: str) -> None:
    resp = cognito.sign_up(ClientId=client_id, Username="sam", Password=PASSWORD,
                           UserAttributes=attrs(email="sam@example.com", name="Sam"))
    assert resp["UserConfirmed"] is False and "CodeDeliveryDetails" not in resp
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="sam")
    assert user["UserStatus"] == "UNCONFIRMED" and user["Enabled"] is True
    values = as_dict(user["UserAttributes"])
    assert values["sub"] == resp["UserSub"] and values["email"] == "sam@example.com" and values["name"] == "Sam"
    with pytest.raises(cognito.exceptions.UserNotConfirmedException):
        sign_in(cognito, client_id, "sam")


def test_sign_up_twice_is_refused(cognito: Any, client_id: str) -> None:
    cognito.sign_up(ClientId=client_id, Username="sam", Password=PASSWORD)
    with pytest.raises(cognito.exceptions.UsernameExistsException):
        cognito.sign_up(ClientId=client_id, Username="sam", Password=PASSWORD)


@pytest.mark.parametrize("password", ["Sh0rtA", "nouppercase1", "NOLOWERCASE1", "NoNumbersHere"])
def test_sign_up_checks_password_policy(cognito: Any, pool_id: str, client_id: str, password: str) -> None:
    with pytest.raises(cognito.exceptions.InvalidPasswordException):
        cognito.sign_up(ClientId=client_id, Username="sam", Password=password)
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_get_user(UserPoolId=pool_id, Username="sam")


def test_sign_up_honours_symbol_requirement(cognito: Any) -> None:
    policy = {"PasswordPolicy": {"MinimumLength": 10, "RequireSymbols": True}}
    pool_id = cognito.create_user_pool(PoolName="symbols", Policies=policy)["UserPool"]["Id"]
    client_id = new_client(cognito, pool_id)["ClientId"]
    with pytest.raises(cognito.exceptions.InvalidPasswordException, match="symbol"):
        cognito.sign_up(ClientId=client_id, Username="sam", Password="longenough")
    with pytest.raises(cognito.exceptions.InvalidPasswordException, match="long"):
        cognito.sign_up(ClientId=client_id, Username="sam", Password="short!")
    assert cognito.sign_up(ClientId=client_id, Username="sam", Password="longenough!")["UserConfirmed"] is False


@pytest.mark.parametrize("values", [
    {"given_name": "Sam"},                            # required email missing
    {"email": "sam-at-example.com"},                  # not an email
    {"email": "s@example.com", "phone_number": "5550100"},
    {"email": "s@example.com", "custom__nope": "1"},  # not in the schema
    {"email": "s@example.com", "custom__level": "99"},
])
def test_sign_up_checks_attributes(cognito: Any, schema_pool: str, schema_client: str, values: dict[str, str]) -> None:
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.sign_up(ClientId=schema_client, Username="sam", Password=PASSWORD, UserAttributes=attrs(**values))
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_get_user(UserPoolId=schema_pool, Username="sam")


def test_sign_up_may_set_immutable_custom_attribute(cognito: Any, schema_pool: str, schema_client: str) -> None:
    cognito.sign_up(ClientId=schema_client, Username="sam", Password=PASSWORD,
                    UserAttributes=attrs(email="s@example.com", custom__tier="gold", custom__level="4"))
    values = as_dict(cognito.admin_get_user(UserPoolId=schema_pool, Username="sam")["UserAttributes"])
    assert values["custom:tier"] == "gold" and values["custom:level"] == "4"


def test_sign_up_respects_write_attributes(cognito: Any, pool_id: str) -> None:
    client_id = new_client(cognito, pool_id, WriteAttributes=["email"])["ClientId"]
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.sign_up(ClientId=client_id, Username="sam", Password=PASSWORD,
                        UserAttributes=attrs(email="s@example.com", given_name="Sam"))
    cognito.sign_up(ClientId=client_id, Username="sam", Password=PASSWORD, UserAttributes=attrs(email="s@example.com"))


def test_sign_up_with_client_secret(cognito: Any, pool_id: str) -> None:
    client = new_client(cognito, pool_id, GenerateSecret=True)
    cid, secret = client["ClientId"], client["ClientSecret"]
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="secret was not received"):
        cognito.sign_up(ClientId=cid, Username="sam", Password=PASSWORD)
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="secret hash"):
        cognito.sign_up(ClientId=cid, Username="sam", Password=PASSWORD,
                        SecretHash=secret_hash(secret, "someone-else", cid))
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_get_user(UserPoolId=pool_id, Username="sam")
    cognito.sign_up(ClientId=cid, Username="sam", Password=PASSWORD, SecretHash=secret_hash(secret, "sam", cid))
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="sam")["UserStatus"] == "UNCONFIRMED"


def test_sign_up_refused_when_only_admins_create_users(cognito: Any) -> None:
    pool_id = cognito.create_user_pool(
        PoolName="admin-only", AdminCreateUserConfig={"AllowAdminCreateUserOnly": True},
    )["UserPool"]["Id"]
    client_id = new_client(cognito, pool_id)["ClientId"]
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.sign_up(ClientId=client_id, Username="sam", Password="Passw0rd!")


def test_sign_up_reports_where_the_code_went(cognito: Any) -> None:
    pool_id = cognito.create_user_pool(PoolName="verify", Policies=POLICY,
                                       AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client_id = new_client(cognito, pool_id)["ClientId"]
    resp = cognito.sign_up(ClientId=client_id, Username="sam", Password=PASSWORD,
                           UserAttributes=attrs(email="sam@example.com"))
    details = resp["CodeDeliveryDetails"]
    assert details["DeliveryMedium"] == "EMAIL" and details["AttributeName"] == "email"
    assert details["Destination"] != "sam@example.com" and details["Destination"].startswith("s")


def test_sign_up_with_unknown_client(cognito: Any) -> None:
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.sign_up(ClientId="nosuchclient0000000000000", Username="sam", Password=PASSWORD)


# -- GetUser ------------------------------------------------------------------------------


def test_get_user(cognito: Any, schema_pool: str, dora_token: str) -> None:
    resp = cognito.get_user(AccessToken=dora_token)
    assert resp["Username"] == "dora"
    values = as_dict(resp["UserAttributes"])
    admin = as_dict(cognito.admin_get_user(UserPoolId=schema_pool, Username="dora")["UserAttributes"])
    assert values == admin
    assert values["email"] == "d@example.com" and values["custom:tier"] == "gold"


def test_get_user_shows_only_readable_attributes(cognito: Any, schema_pool: str, dora_token: str) -> None:
    client_id = new_client(cognito, schema_pool, ReadAttributes=["email", "custom:tier"])["ClientId"]
    token = sign_in(cognito, client_id, "dora")["AccessToken"]
    assert set(me(cognito, token)) == {"sub", "email", "custom:tier"}


def test_get_user_with_a_bad_token(cognito: Any, client_id: str, pool_id: str) -> None:
    confirmed_user(cognito, pool_id, "dora")
    tokens = sign_in(cognito, client_id, "dora")
    head, body, signature = tokens["AccessToken"].split(".")
    forged = ".".join([head, body, signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB")])
    for bad in (forged, tokens["IdToken"], "not.a.token", "garbage"):
        with pytest.raises(cognito.exceptions.NotAuthorizedException):
            cognito.get_user(AccessToken=bad)


# -- UpdateUserAttributes / DeleteUserAttributes -----------------------------------------------


def test_update_user_attributes(cognito: Any, dora_token: str) -> None:
    cognito.update_user_attributes(AccessToken=dora_token, UserAttributes=attrs(family_name="Explorer",
                                                                                 custom__level="5"))
    values = me(cognito, dora_token)
    assert values["family_name"] == "Explorer" and values["custom:level"] == "5" and values["given_name"] == "Dora"


def test_update_email_makes_it_unverified(cognito: Any, schema_pool: str, dora_token: str) -> None:
    cognito.admin_update_user_attributes(UserPoolId=schema_pool, Username="dora",
                                         UserAttributes=attrs(email_verified="true"))
    cognito.update_user_attributes(AccessToken=dora_token, UserAttributes=attrs(email="new@example.com"))
    values = me(cognito, dora_token)
    assert values["email"] == "new@example.com" and values["email_verified"] == "false"


@pytest.mark.parametrize("update", [
    {"custom__tier": "silver"},     # immutable
    {"custom__nope": "x"},          # not in the schema
    {"custom__level": "0"},         # below MinValue
    {"email": "nope"},
    {"phone_number": "+1-555-0100"},
    {"email": ""},                  # required
])
def test_update_user_attributes_checks_the_schema(cognito: Any, dora_token: str, update: dict[str, str]) -> None:
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.update_user_attributes(AccessToken=dora_token, UserAttributes=attrs(**update))
    values = me(cognito, dora_token)
    assert values["email"] == "d@example.com" and values["custom:tier"] == "gold"


def test_update_user_attributes_respects_write_attributes(cognito: Any, schema_pool: str, dora_token: str) -> None:
    client_id = new_client(cognito, schema_pool, WriteAttributes=["given_name"])["ClientId"]
    token = sign_in(cognito, client_id, "dora")["AccessToken"]
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.update_user_attributes(AccessToken=token, UserAttributes=attrs(given_name="D", family_name="E"))
    cognito.update_user_attributes(AccessToken=token, UserAttributes=attrs(given_name="D"))
    values = me(cognito, token)
    assert values["given_name"] == "D" and "family_name" not in values


def test_verified_flags_are_not_writable_by_default(cognito: Any, dora_token: str) -> None:
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.update_user_attributes(AccessToken=dora_token, UserAttributes=attrs(email_verified="true"))
    assert me(cognito, dora_token).get("email_verified") != "true"


def test_delete_user_attributes(cognito: Any, schema_pool: str, dora_token: str) -> None:
    cognito.delete_user_attributes(AccessToken=dora_token, UserAttributeNames=["given_name"])
    assert "given_name" not in me(cognito, dora_token)
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.delete_user_attributes(AccessToken=dora_token, UserAttributeNames=["email"])
    client_id = new_client(cognito, schema_pool, WriteAttributes=["given_name"])["ClientId"]
    token = sign_in(cognito, client_id, "dora")["AccessToken"]
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.delete_user_attributes(AccessToken=token, UserAttributeNames=["custom:tier"])
    assert me(cognito, dora_token)["custom:tier"] == "gold"


# -- ChangePassword / DeleteUser ----------------------------------------------------------------


def test_change_password(cognito: Any, pool_id: str, client_id: str) -> None:
    confirmed_user(cognito, pool_id, "dora")
    token = sign_in(cognito, client_id, "dora")["AccessToken"]
    cognito.change_password(AccessToken=token, PreviousPassword=PASSWORD, ProposedPassword="Changed123")
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        sign_in(cognito, client_id, "dora")
    assert sign_in(cognito, client_id, "dora", "Changed123")["AccessToken"]
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="dora")["UserStatus"] == "CONFIRMED"


def test_change_password_refusals(cognito: Any, pool_id: str, client_id: str) -> None:
    confirmed_user(cognito, pool_id, "dora")
    token = sign_in(cognito, client_id, "dora")["AccessToken"]
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.change_password(AccessToken=token, PreviousPassword="Wrong1234", ProposedPassword="Changed123")
    with pytest.raises(cognito.exceptions.InvalidPasswordException):
        cognito.change_password(AccessToken=token, PreviousPassword=PASSWORD, ProposedPassword="weak")
    assert sign_in(cognito, client_id, "dora")["AccessToken"]  # the old password still works


def test_delete_user(cognito: Any, pool_id: str, client_id: str) -> None:
    confirmed_user(cognito, pool_id, "dora")
    confirmed_user(cognito, pool_id, "eve")
    token = sign_in(cognito, client_id, "dora")["AccessToken"]
    cognito.delete_user(AccessToken=token)
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_get_user(UserPoolId=pool_id, Username="dora")
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.get_user(AccessToken=token)
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="eve")["Username"] == "eve"
