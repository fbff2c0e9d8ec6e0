"""Signing in by something other than the username, with real boto3: UsernameAttributes
(email or phone *is* the sign-in name; the username becomes the sub), AliasAttributes
(verified email/phone and preferred_username also sign in; an alias belongs to one
user; ForceAliasCreation moves it) and case-insensitive usernames."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import PASSWORD, LiveServer
from .outbox import NEW_PASSWORD, as_dict, attrs, claims, last_code, new_client, new_pool, sign_in


def sign_up(cognito: Any, client_id: str, username: str, **values: str) -> dict[str, Any]:
    return dict(cognito.sign_up(ClientId=client_id, Username=username, Password=PASSWORD,
                                UserAttributes=attrs(**values)))


def sign_up_confirmed(cognito: Any, server: LiveServer, pool_id: str, client_id: str,
                      username: str, **values: str) -> dict[str, Any]:
    """Sign up and confirm with the code from the outbox (found by where it went)."""
    resp = sign_up(cognito, client_id, username, **values)
    destination = values.get("phone_number") or values.get("email") or username
    code = last_code(server, pool_id, destination=destination)
    cognito.confirm_sign_up(ClientId=client_id, Username=username, ConfirmationCode=code)
    return resp


def verified_user(cognito: Any, pool_id: str, username: str, **values: str) -> None:
    cognito.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS",
                              UserAttributes=attrs(**values))
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=username, Password=PASSWORD, Permanent=True)


def username_of(cognito: Any, client_id: str, name: str) -> str:
    """Who signing in as `name` turns out to be."""
    return str(claims(sign_in(cognito, client_id, name, PASSWORD)["IdToken"])["cognito:username"])


# -- UsernameAttributes ---------------------------------------------------------------


def test_email_as_username(cognito: Any, server: LiveServer) -> None:
    pool_id = new_pool(cognito, UsernameAttributes=["email"], AutoVerifiedAttributes=["email"])
    client_id = new_client(cognito, pool_id)
    resp = sign_up_confirmed(cognito, server, pool_id, client_id, "Eve@Example.com")
    sub = resp["UserSub"]
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="Eve@Example.com")
    assert user["Username"] == sub and user["UserStatus"] == "CONFIRMED"
    assert as_dict(user["UserAttributes"])["email"] == "Eve@Example.com"
    assert last_code(server, pool_id, username=sub)  # the outbox knows the real username

    id_token = claims(sign_in(cognito, client_id, "Eve@Example.com", PASSWORD)["IdToken"])
    assert id_token["cognito:username"] == sub and id_token["email_verified"] is True
    assert username_of(cognito, client_id, "eve@example.com") == sub
    assert username_of(cognito, client_id, sub) == sub

    with pytest.raises(cognito.exceptions.UsernameExistsException, match="email already exists"):
        sign_up(cognito, client_id, "eve@example.com")
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="should be an email"):
        sign_up(cognito, client_id, "eve")


def test_phone_as_username(cognito: Any, server: LiveServer) -> None:
    pool_id = new_pool(cognito, UsernameAttributes=["phone_number", "email"],
                       AutoVerifiedAttributes=["phone_number"])
    client_id = new_client(cognito, pool_id)
    resp = sign_up_confirmed(cognito, server, pool_id, client_id, "+15555550100")
    assert resp["CodeDeliveryDetails"]["DeliveryMedium"] == "SMS"
    id_token = claims(sign_in(cognito, client_id, "+15555550100", PASSWORD)["IdToken"])
    assert id_token["cognito:username"] == resp["UserSub"]
    assert id_token["phone_number"] == "+15555550100" and id_token["phone_number_verified"] is True
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="email or a phone number"):
        sign_up(cognito, client_id, "just-a-name")


def test_username_attribute_is_unique_on_update(cognito: Any, server: LiveServer) -> None:
    pool_id = new_pool(cognito, UsernameAttributes=["email"], AutoVerifiedAttributes=["email"])
    client_id = new_client(cognito, pool_id)
    sign_up_confirmed(cognito, server, pool_id, client_id, "eve@example.com")
    sign_up_confirmed(cognito, server, pool_id, client_id, "fay@example.com")
    token = sign_in(cognito, client_id, "fay@example.com", PASSWORD)["AccessToken"]
    with pytest.raises(cognito.exceptions.AliasExistsException, match="email already exists"):
        cognito.update_user_attributes(AccessToken=token, UserAttributes=attrs(email="eve@example.com"))
    assert as_dict(cognito.get_user(AccessToken=token)["UserAttributes"])["email"] == "fay@example.com"


def test_recovery_by_username_attribute(cognito: Any, server: LiveServer) -> None:
    pool_id = new_pool(cognito, UsernameAttributes=["email"], AutoVerifiedAttributes=["email"])
    client_id = new_client(cognito, pool_id)
    sign_up_confirmed(cognito, server, pool_id, client_id, "eve@example.com")
    cognito.forgot_password(ClientId=client_id, Username="eve@example.com")
    code = last_code(server, pool_id, type="FORGOT_PASSWORD")
    cognito.confirm_forgot_password(ClientId=client_id, Username="eve@example.com", ConfirmationCode=code,
                                    Password=NEW_PASSWORD)
    assert sign_in(cognito, client_id, "eve@example.com", NEW_PASSWORD)["AccessToken"]


# -- AliasAttributes -------------------------------------------------------------------


@pytest.fixture
def alias_pool(cognito: Any) -> tuple[str, str]:
    pool_id = new_pool(cognito, AliasAttributes=["email", "phone_number", "preferred_username"],
                       AutoVerifiedAttributes=["email"])
    return pool_id, new_client(cognito, pool_id)


def test_verified_email_alias_signs_in(cognito: Any, server: LiveServer, alias_pool: tuple[str, str]) -> None:
    pool_id, client_id = alias_pool
    sign_up(cognito, client_id, "bob", email="bob@example.com")
    # Unverified: the email is not a sign-in name yet.
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        sign_in(cognito, client_id, "bob@example.com", PASSWORD)
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_get_user(UserPoolId=pool_id, Username="bob@example.com")
    cognito.confirm_sign_up(ClientId=client_id, Username="bob", ConfirmationCode=last_code(server, pool_id))
    assert username_of(cognito, client_id, "bob@example.com") == "bob"
    assert username_of(cognito, client_id, "BOB@example.com") == "bob"
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="bob@example.com")["Username"] == "bob"
    admin = cognito.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                        AuthParameters={"USERNAME": "bob@example.com", "PASSWORD": PASSWORD})
    assert claims(admin["AuthenticationResult"]["IdToken"])["cognito:username"] == "bob"


def test_phone_alias_only_when_verified(cognito: Any, alias_pool: tuple[str, str]) -> None:
    pool_id, client_id = alias_pool
    verified_user(cognito, pool_id, "pat", phone_number="+15555550111", phone_number_verified="true")
    verified_user(cognito, pool_id, "quinn", phone_number="+15555550122")
    assert username_of(cognito, client_id, "+15555550111") == "pat"
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        sign_in(cognito, client_id, "+15555550122", PASSWORD)
    assert username_of(cognito, client_id, "quinn") == "quinn"


def test_preferred_username_alias(cognito: Any, alias_pool: tuple[str, str]) -> None:
    pool_id, client_id = alias_pool
    verified_user(cognito, pool_id, "carol", preferred_username="caz")
    assert username_of(cognito, client_id, "caz") == "carol"
    verified_user(cognito, pool_id, "dave")
    with pytest.raises(cognito.exceptions.AliasExistsException):
        cognito.admin_update_user_attributes(UserPoolId=pool_id, Username="dave",
                                             UserAttributes=attrs(preferred_username="caz"))
    assert username_of(cognito, client_id, "caz") == "carol"


def test_alias_pool_refuses_email_and_phone_usernames(cognito: Any, alias_pool: tuple[str, str]) -> None:
    _, client_id = alias_pool
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="email format"):
        sign_up(cognito, client_id, "bob@example.com")
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="phone number format"):
        sign_up(cognito, client_id, "+15555550100")


def test_confirming_a_taken_alias(cognito: Any, server: LiveServer, alias_pool: tuple[str, str]) -> None:
    pool_id, client_id = alias_pool
    verified_user(cognito, pool_id, "first", email="shared@example.com", email_verified="true")
    sign_up(cognito, client_id, "second", email="shared@example.com")  # unverified: no clash yet
    code = last_code(server, pool_id, username="second")
    with pytest.raises(cognito.exceptions.AliasExistsException, match="already exists"):
        cognito.confirm_sign_up(ClientId=client_id, Username="second", ConfirmationCode=code)
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="second")["UserStatus"] == "UNCONFIRMED"
    assert username_of(cognito, client_id, "shared@example.com") == "first"

    # The documented way on: the same code again, forcing the alias across.
    cognito.confirm_sign_up(ClientId=client_id, Username="second", ConfirmationCode=code, ForceAliasCreation=True)
    assert username_of(cognito, client_id, "shared@example.com") == "second"
    first = as_dict(cognito.admin_get_user(UserPoolId=pool_id, Username="first")["UserAttributes"])
    assert first["email"] == "shared@example.com" and first["email_verified"] == "false"
    assert username_of(cognito, client_id, "first") == "first"


def test_admin_create_user_with_a_taken_alias(cognito: Any, alias_pool: tuple[str, str]) -> None:
    pool_id, client_id = alias_pool
    verified_user(cognito, pool_id, "first", email="shared@example.com", email_verified="true")
    taken = attrs(email="shared@example.com", email_verified="true")
    # AdminCreateUser does not list AliasExistsException: Cognito names the clash this way.
    with pytest.raises(cognito.exceptions.UsernameExistsException, match="email already exists"):
        cognito.admin_create_user(UserPoolId=pool_id, Username="second", MessageAction="SUPPRESS",
                                  UserAttributes=taken)
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_get_user(UserPoolId=pool_id, Username="second")
    cognito.admin_create_user(UserPoolId=pool_id, Username="second", MessageAction="SUPPRESS",
                              UserAttributes=taken, ForceAliasCreation=True)
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="second", Password=PASSWORD, Permanent=True)
    assert username_of(cognito, client_id, "shared@example.com") == "second"


def test_verifying_a_taken_alias(cognito: Any, server: LiveServer, alias_pool: tuple[str, str]) -> None:
    pool_id, client_id = alias_pool
    verified_user(cognito, pool_id, "first", email="shared@example.com", email_verified="true")
    verified_user(cognito, pool_id, "second", email="mine@example.com", email_verified="true")
    token = sign_in(cognito, client_id, "second", PASSWORD)["AccessToken"]
    cognito.update_user_attributes(AccessToken=token, UserAttributes=attrs(email="shared@example.com"))
    code = last_code(server, pool_id, username="second")
    with pytest.raises(cognito.exceptions.AliasExistsException):
        cognito.verify_user_attribute(AccessToken=token, AttributeName="email", Code=code)
    assert username_of(cognito, client_id, "shared@example.com") == "first"


# -- case-insensitive usernames ----------------------------------------------------------


def test_case_insensitive_usernames(cognito: Any, server: LiveServer) -> None:
    pool_id = new_pool(cognito, UsernameConfiguration={"CaseSensitive": False}, AutoVerifiedAttributes=["email"])
    client_id = new_client(cognito, pool_id)
    sign_up(cognito, client_id, "MixedCase", email="m@example.com")
    cognito.confirm_sign_up(ClientId=client_id, Username="mixedcase", ConfirmationCode=last_code(server, pool_id))
    assert sign_in(cognito, client_id, "MIXEDCASE", PASSWORD)["AccessToken"]
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="mIxEdCaSe")["UserStatus"] == "CONFIRMED"
    with pytest.raises(cognito.exceptions.UsernameExistsException):
        sign_up(cognito, client_id, "MIXEDcase", email="other@example.com")
    cognito.forgot_password(ClientId=client_id, Username="MIXEDCASE")
    cognito.confirm_forgot_password(ClientId=client_id, Username="mixedCase", Password=NEW_PASSWORD,
                                    ConfirmationCode=last_code(server, pool_id, type="FORGOT_PASSWORD"))
    assert sign_in(cognito, client_id, "mixedcase", NEW_PASSWORD)["AccessToken"]


def test_usernames_are_case_sensitive_by_default(cognito: Any) -> None:
    pool_id = new_pool(cognito)
    client_id = new_client(cognito, pool_id)
    verified_user(cognito, pool_id, "Alice")
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        sign_in(cognito, client_id, "alice", PASSWORD)
    verified_user(cognito, pool_id, "alice")
    assert username_of(cognito, client_id, "alice") == "alice"
    assert username_of(cognito, client_id, "Alice") == "Alice"
