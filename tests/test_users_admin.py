"""Admin user actions with real boto3: create (invitations, RESEND), read, update and
delete attributes, passwords, confirm, enable/disable, delete."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from .conftest import PASSWORD, LiveServer, confirmed_user

POLICY = {"PasswordPolicy": {"MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True,
                             "RequireNumbers": True, "RequireSymbols": False}}
SCHEMA = [
    {"Name": "email", "AttributeDataType": "String", "Mutable": True, "Required": True},
    {"Name": "tier", "AttributeDataType": "String", "Mutable": False,
     "StringAttributeConstraints": {"MinLength": "1", "MaxLength": "5"}},
    {"Name": "level", "AttributeDataType": "Number", "Mutable": True,
     "NumberAttributeConstraints": {"MinValue": "1", "MaxValue": "10"}},
]


def attrs(**values: str) -> list[dict[str, str]]:
    return [{"Name": k.replace("__", ":"), "Value": v} for k, v in values.items()]


def as_dict(items: list[dict[str, str]]) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in items}


def get_attrs(cognito: Any, pool_id: str, username: str) -> dict[str, str]:
    return as_dict(cognito.admin_get_user(UserPoolId=pool_id, Username=username)["UserAttributes"])


@pytest.fixture
def schema_pool(cognito: Any) -> str:
    """A pool where email is required and custom:tier (immutable, 1-5 chars) and
    custom:level (number 1-10) exist."""
    return cognito.create_user_pool(PoolName=f"schema-{uuid.uuid4().hex[:8]}", Policies=POLICY,
                                    Schema=SCHEMA)["UserPool"]["Id"]


def admin_sign_in(cognito: Any, pool_id: str, client_id: str, username: str, password: str) -> dict[str, Any]:
    return cognito.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id,
                                       AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                       AuthParameters={"USERNAME": username, "PASSWORD": password})


# -- AdminCreateUser ------------------------------------------------------------------


def test_admin_create_user_starts_in_force_change_password(cognito: Any, pool_id: str) -> None:
    user = cognito.admin_create_user(
        UserPoolId=pool_id, Username="dora", TemporaryPassword="Temp1234", MessageAction="SUPPRESS",
        UserAttributes=attrs(email="dora@example.com", given_name="Dora"),
    )["User"]
    assert user["Username"] == "dora" and user["Enabled"] is True
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    got = cognito.admin_get_user(UserPoolId=pool_id, Username="dora")
    assert got["UserStatus"] == "FORCE_CHANGE_PASSWORD" and got["Enabled"] is True
    values = as_dict(got["UserAttributes"])
    assert values["email"] == "dora@example.com" and values["given_name"] == "Dora"
    uuid.UUID(values["sub"])
    assert got["UserCreateDate"] <= got["UserLastModifiedDate"]


@pytest.mark.parametrize("extra", [{}, {"email_verified": "true"}])
def test_admin_create_user_adds_nothing_and_stamps_one_time(cognito: Any, pool_id: str,
                                                             extra: dict[str, str]) -> None:
    """As in AWS's own examples (aws-cli admin-create-user.rst, the SDK's examples.json):
    the user has the attributes given plus sub, and the two dates are one instant."""
    given = {"email": "dora@example.com", "phone_number": "+15555550100", **extra}
    user = cognito.admin_create_user(UserPoolId=pool_id, Username="dora", MessageAction="SUPPRESS",
                                     UserAttributes=attrs(**given))["User"]
    assert user["UserCreateDate"] == user["UserLastModifiedDate"]
    got = cognito.admin_get_user(UserPoolId=pool_id, Username="dora")
    assert got["UserCreateDate"] == got["UserLastModifiedDate"] == user["UserCreateDate"]
    for listed in (as_dict(user["Attributes"]), as_dict(got["UserAttributes"])):
        assert set(listed) == {"sub", *given}


def test_temporary_password_leads_to_new_password_challenge(cognito: Any, pool_id: str, client_id: str) -> None:
    cognito.admin_create_user(UserPoolId=pool_id, Username="dora", TemporaryPassword="Temp1234",
                              MessageAction="SUPPRESS")
    resp = admin_sign_in(cognito, pool_id, client_id, "dora", "Temp1234")
    assert resp["ChallengeName"] == "NEW_PASSWORD_REQUIRED" and "AuthenticationResult" not in resp
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        admin_sign_in(cognito, pool_id, client_id, "dora", "Wrong1234")


@pytest.mark.parametrize("temporary", ["Sh0rt", "alllower1", "ALLUPPER1", "NoDigitsHere"])
def test_temporary_password_must_meet_policy(cognito: Any, pool_id: str, temporary: str) -> None:
    with pytest.raises(cognito.exceptions.InvalidPasswordException):
        cognito.admin_create_user(UserPoolId=pool_id, Username="dora", TemporaryPassword=temporary)
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_get_user(UserPoolId=pool_id, Username="dora")


def test_admin_create_user_twice_is_refused(cognito: Any, pool_id: str, client_id: str) -> None:
    cognito.admin_create_user(UserPoolId=pool_id, Username="dora", MessageAction="SUPPRESS")
    with pytest.raises(cognito.exceptions.UsernameExistsException) as refused:
        cognito.admin_create_user(UserPoolId=pool_id, Username="dora", MessageAction="SUPPRESS")
    # Cognito's wording differs by action (localstack#4465 quotes AdminCreateUser's).
    assert refused.value.response["Error"]["Message"] == "User account already exists"
    with pytest.raises(cognito.exceptions.UsernameExistsException) as refused:
        cognito.sign_up(ClientId=client_id, Username="dora", Password=PASSWORD)
    assert refused.value.response["Error"]["Message"] == "User already exists"


def test_admin_create_user_in_unknown_pool(cognito: Any) -> None:
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.admin_create_user(UserPoolId="us-east-1_Nope12345", Username="dora")


def test_resend_resets_the_temporary_password(cognito: Any, pool_id: str, client_id: str) -> None:
    cognito.admin_create_user(UserPoolId=pool_id, Username="dora", TemporaryPassword="Temp1234",
                              MessageAction="SUPPRESS")
    user = cognito.admin_create_user(UserPoolId=pool_id, Username="dora", MessageAction="RESEND",
                                     TemporaryPassword="Again5678")["User"]
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        admin_sign_in(cognito, pool_id, client_id, "dora", "Temp1234")
    assert admin_sign_in(cognito, pool_id, client_id, "dora", "Again5678")["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


def test_resend_checks_the_policy_the_user_and_its_state(cognito: Any, pool_id: str) -> None:
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_create_user(UserPoolId=pool_id, Username="ghost", MessageAction="RESEND")
    cognito.admin_create_user(UserPoolId=pool_id, Username="dora", MessageAction="SUPPRESS")
    with pytest.raises(cognito.exceptions.InvalidPasswordException):
        cognito.admin_create_user(UserPoolId=pool_id, Username="dora", MessageAction="RESEND",
                                  TemporaryPassword="weak")
    confirmed_user(cognito, pool_id, "carl")
    with pytest.raises(cognito.exceptions.UnsupportedUserStateException):
        cognito.admin_create_user(UserPoolId=pool_id, Username="carl", MessageAction="RESEND")


def test_resend_restores_an_expired_invitation(own_server: LiveServer) -> None:
    cognito = own_server.client()
    pool_id = cognito.create_user_pool(PoolName="p", Policies=POLICY)["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="c", ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"],
    )["UserPoolClient"]["ClientId"]
    cognito.admin_create_user(UserPoolId=pool_id, Username="dora", TemporaryPassword="Temp1234",
                              MessageAction="SUPPRESS")
    own_server.clock.advance(8 * 86400)  # TemporaryPasswordValidityDays defaults to 7
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="Temporary password has expired"):
        admin_sign_in(cognito, pool_id, client_id, "dora", "Temp1234")
    cognito.admin_create_user(UserPoolId=pool_id, Username="dora", MessageAction="RESEND",
                              TemporaryPassword="Temp1234")
    assert admin_sign_in(cognito, pool_id, client_id, "dora", "Temp1234")["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


# -- attributes: schema, constraints, mutability -----------------------------------------


def test_create_with_schema_attributes(cognito: Any, schema_pool: str) -> None:
    cognito.admin_create_user(UserPoolId=schema_pool, Username="dora", MessageAction="SUPPRESS",
                              UserAttributes=attrs(email="d@example.com", custom__tier="gold", custom__level="3"))
    values = get_attrs(cognito, schema_pool, "dora")
    assert values["custom:tier"] == "gold" and values["custom:level"] == "3"


@pytest.mark.parametrize("extra", [
    {"custom__nope": "x"},          # not in the schema
    {"shoe_size": "42"},            # not a standard attribute either
    {"custom__tier": "platinum"},   # longer than MaxLength 5
    {"custom__level": "11"},        # above MaxValue
    {"custom__level": "zero"},      # not a number
    {"phone_number": "555-0100"},   # phone numbers are +digits
    {"email_verified": "maybe"},    # booleans are true/false
])
def test_create_with_bad_attributes_is_refused(cognito: Any, schema_pool: str, extra: dict[str, str]) -> None:
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.admin_create_user(UserPoolId=schema_pool, Username="dora", MessageAction="SUPPRESS",
                                  UserAttributes=attrs(email="d@example.com", **extra))
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_get_user(UserPoolId=schema_pool, Username="dora")


def test_create_without_required_or_with_bad_email(cognito: Any, schema_pool: str) -> None:
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="email"):
        cognito.admin_create_user(UserPoolId=schema_pool, Username="dora", MessageAction="SUPPRESS",
                                  UserAttributes=attrs(given_name="Dora"))
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.admin_create_user(UserPoolId=schema_pool, Username="dora", MessageAction="SUPPRESS",
                                  UserAttributes=attrs(email="not-an-email"))


def test_admin_update_user_attributes(cognito: Any, schema_pool: str) -> None:
    cognito.admin_create_user(UserPoolId=schema_pool, Username="dora", MessageAction="SUPPRESS",
                              UserAttributes=attrs(email="d@example.com", email_verified="true"))
    before = cognito.admin_get_user(UserPoolId=schema_pool, Username="dora")["UserLastModifiedDate"]
    cognito.admin_update_user_attributes(UserPoolId=schema_pool, Username="dora",
                                         UserAttributes=attrs(given_name="Dora", custom__level="7"))
    values = get_attrs(cognito, schema_pool, "dora")
    assert values["given_name"] == "Dora" and values["custom:level"] == "7"
    assert values["email_verified"] == "true"  # untouched email stays verified
    after = cognito.admin_get_user(UserPoolId=schema_pool, Username="dora")["UserLastModifiedDate"]
    assert after >= before
    # A new email is unverified unless the admin says otherwise in the same call.
    cognito.admin_update_user_attributes(UserPoolId=schema_pool, Username="dora",
                                         UserAttributes=attrs(email="new@example.com"))
    assert get_attrs(cognito, schema_pool, "dora")["email_verified"] == "false"
    cognito.admin_update_user_attributes(UserPoolId=schema_pool, Username="dora",
                                         UserAttributes=attrs(email="n2@example.com", email_verified="true"))
    values = get_attrs(cognito, schema_pool, "dora")
    assert values["email"] == "n2@example.com" and values["email_verified"] == "true"


@pytest.mark.parametrize("update", [
    {"custom__tier": "gold"},       # immutable once created
    {"custom__nope": "x"},
    {"custom__level": "0"},
    {"email": "nope"},
    {"phone_number": "+1 555 0100"},
    {"email": ""},                  # required attribute cannot be emptied
])
def test_admin_update_refuses_bad_attributes(cognito: Any, schema_pool: str, update: dict[str, str]) -> None:
    cognito.admin_create_user(UserPoolId=schema_pool, Username="dora", MessageAction="SUPPRESS",
                              UserAttributes=attrs(email="d@example.com", custom__tier="gold"))
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.admin_update_user_attributes(UserPoolId=schema_pool, Username="dora", UserAttributes=attrs(**update))
    assert get_attrs(cognito, schema_pool, "dora")["email"] == "d@example.com"


def test_admin_update_cannot_change_sub(cognito: Any, pool_id: str) -> None:
    cognito.admin_create_user(UserPoolId=pool_id, Username="dora", MessageAction="SUPPRESS")
    sub = get_attrs(cognito, pool_id, "dora")["sub"]
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.admin_update_user_attributes(UserPoolId=pool_id, Username="dora", UserAttributes=attrs(sub="x"))
    assert get_attrs(cognito, pool_id, "dora")["sub"] == sub


def test_admin_delete_user_attributes(cognito: Any, schema_pool: str) -> None:
    cognito.admin_create_user(UserPoolId=schema_pool, Username="dora", MessageAction="SUPPRESS",
                              UserAttributes=attrs(email="d@example.com", given_name="Dora", custom__level="2"))
    cognito.admin_delete_user_attributes(UserPoolId=schema_pool, Username="dora",
                                         UserAttributeNames=["given_name", "custom:level"])
    values = get_attrs(cognito, schema_pool, "dora")
    assert "given_name" not in values and "custom:level" not in values and values["email"] == "d@example.com"
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.admin_delete_user_attributes(UserPoolId=schema_pool, Username="dora", UserAttributeNames=["email"])
    assert get_attrs(cognito, schema_pool, "dora")["email"] == "d@example.com"


@pytest.mark.parametrize("call", [
    lambda c, p: c.admin_get_user(UserPoolId=p, Username="ghost"),
    lambda c, p: c.admin_delete_user(UserPoolId=p, Username="ghost"),
    lambda c, p: c.admin_update_user_attributes(UserPoolId=p, Username="ghost", UserAttributes=attrs(name="x")),
    lambda c, p: c.admin_delete_user_attributes(UserPoolId=p, Username="ghost", UserAttributeNames=["name"]),
    lambda c, p: c.admin_set_user_password(UserPoolId=p, Username="ghost", Password=PASSWORD, Permanent=True),
    lambda c, p: c.admin_enable_user(UserPoolId=p, Username="ghost"),
    lambda c, p: c.admin_disable_user(UserPoolId=p, Username="ghost"),
    lambda c, p: c.admin_confirm_sign_up(UserPoolId=p, Username="ghost"),
    lambda c, p: c.admin_user_global_sign_out(UserPoolId=p, Username="ghost"),
])
def test_unknown_user_is_user_not_found(cognito: Any, pool_id: str, call: Any) -> None:
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        call(cognito, pool_id)


# -- passwords, confirmation, enable/disable, delete --------------------------------------


def test_admin_set_user_password_permanent_and_temporary(cognito: Any, pool_id: str, client_id: str) -> None:
    cognito.admin_create_user(UserPoolId=pool_id, Username="dora", MessageAction="SUPPRESS")
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="dora", Password="Perm1234", Permanent=True)
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="dora")["UserStatus"] == "CONFIRMED"
    assert "AuthenticationResult" in admin_sign_in(cognito, pool_id, client_id, "dora", "Perm1234")
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="dora", Password="Temp1234", Permanent=False)
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="dora")["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        admin_sign_in(cognito, pool_id, client_id, "dora", "Perm1234")
    assert admin_sign_in(cognito, pool_id, client_id, "dora", "Temp1234")["ChallengeName"] == "NEW_PASSWORD_REQUIRED"


@pytest.mark.parametrize("permanent", [True, False])
def test_admin_set_user_password_checks_policy(cognito: Any, pool_id: str, client_id: str, permanent: bool) -> None:
    confirmed_user(cognito, pool_id, "dora")
    with pytest.raises(cognito.exceptions.InvalidPasswordException):
        cognito.admin_set_user_password(UserPoolId=pool_id, Username="dora", Password="short1A", Permanent=permanent)
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="dora")["UserStatus"] == "CONFIRMED"
    assert "AuthenticationResult" in admin_sign_in(cognito, pool_id, client_id, "dora", PASSWORD)


def test_admin_confirm_sign_up(cognito: Any, pool_id: str, client_id: str) -> None:
    cognito.sign_up(ClientId=client_id, Username="sam", Password=PASSWORD)
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="sam")["UserStatus"] == "UNCONFIRMED"
    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username="sam")
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="sam")["UserStatus"] == "CONFIRMED"
    assert "AuthenticationResult" in admin_sign_in(cognito, pool_id, client_id, "sam", PASSWORD)
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="Current status is CONFIRMED"):
        cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username="sam")


def test_disable_and_enable(cognito: Any, pool_id: str, client_id: str) -> None:
    confirmed_user(cognito, pool_id, "dora")
    cognito.admin_disable_user(UserPoolId=pool_id, Username="dora")
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="dora")["Enabled"] is False
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="User is disabled"):
        admin_sign_in(cognito, pool_id, client_id, "dora", PASSWORD)
    cognito.admin_enable_user(UserPoolId=pool_id, Username="dora")
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="dora")["Enabled"] is True
    assert "AuthenticationResult" in admin_sign_in(cognito, pool_id, client_id, "dora", PASSWORD)


def test_admin_delete_user(cognito: Any, pool_id: str, client_id: str) -> None:
    confirmed_user(cognito, pool_id, "dora")
    confirmed_user(cognito, pool_id, "eve")
    cognito.admin_delete_user(UserPoolId=pool_id, Username="dora")
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_get_user(UserPoolId=pool_id, Username="dora")
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        admin_sign_in(cognito, pool_id, client_id, "dora", PASSWORD)
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="eve")["Username"] == "eve"
    # The name is free again, with a new sub.
    cognito.admin_create_user(UserPoolId=pool_id, Username="dora", MessageAction="SUPPRESS")
    assert cognito.admin_get_user(UserPoolId=pool_id, Username="dora")["UserStatus"] == "FORCE_CHANGE_PASSWORD"


# -- ListUsers ------------------------------------------------------------------------------


People = tuple[str, dict[str, str]]


@pytest.fixture(scope="module")
def people_pool(cognito: Any) -> People:
    """One pool, shared by the read-only ListUsers tests, with four users in every state
    ListUsers can tell apart; returns the pool id and username -> sub."""
    pool_id = cognito.create_user_pool(PoolName="people", Policies=POLICY)["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="c")["UserPoolClient"]["ClientId"]
    confirmed_user(cognito, pool_id, "alice", email="alice@example.com", phone_number="+15550001",
                   name="Alice Smith", given_name="Alice", family_name="Smith", preferred_username="ally")
    cognito.admin_create_user(UserPoolId=pool_id, Username="albert", MessageAction="SUPPRESS",
                              UserAttributes=attrs(email="albert@example.org", phone_number="+15550002",
                                                   name="Albert Jones", given_name="Albert",
                                                   family_name="Jones", preferred_username="bert"))
    cognito.sign_up(ClientId=client_id, Username="bob", Password=PASSWORD,
                    UserAttributes=attrs(email="bob@example.com", name='Bob "B" Smith', family_name="Smith"))
    confirmed_user(cognito, pool_id, "carol", email="carol@test.net")
    cognito.admin_disable_user(UserPoolId=pool_id, Username="carol")
    users = cognito.list_users(UserPoolId=pool_id)["Users"]
    return pool_id, {u["Username"]: as_dict(u["Attributes"])["sub"] for u in users}


def names(cognito: Any, pool_id: str, filter_: str) -> list[str]:
    return sorted(u["Username"] for u in cognito.list_users(UserPoolId=pool_id, Filter=filter_)["Users"])


def test_list_users_without_filter(cognito: Any, people_pool: People) -> None:
    pool_id, people = people_pool
    resp = cognito.list_users(UserPoolId=pool_id)
    assert sorted(people) == ["albert", "alice", "bob", "carol"]
    assert "PaginationToken" not in resp
    by_name = {u["Username"]: u for u in resp["Users"]}
    assert by_name["bob"]["UserStatus"] == "UNCONFIRMED" and by_name["carol"]["Enabled"] is False
    assert as_dict(by_name["alice"]["Attributes"])["email"] == "alice@example.com"


@pytest.mark.parametrize(("filter_", "expected"), [
    ('username = "alice"', ["alice"]),
    ('username ^= "al"', ["albert", "alice"]),
    ('username = "al"', []),
    ('email = "bob@example.com"', ["bob"]),
    ('email ^= "al"', ["albert", "alice"]),
    ('phone_number = "+15550001"', ["alice"]),
    ('phone_number ^= "+1555000"', ["albert", "alice"]),
    ('name = "Albert Jones"', ["albert"]),
    ('name ^= "Al"', ["albert", "alice"]),
    ('name = "Bob \\"B\\" Smith"', ["bob"]),
    ('given_name = "Alice"', ["alice"]),
    ('given_name ^= "Al"', ["albert", "alice"]),
    ('family_name = "Smith"', ["alice", "bob"]),
    ('family_name ^= "Jo"', ["albert"]),
    ('preferred_username = "bert"', ["albert"]),
    ('preferred_username ^= "al"', ["alice"]),
    ('cognito:user_status = "UNCONFIRMED"', ["bob"]),
    ('cognito:user_status = "force_change_password"', ["albert"]),
    ('cognito:user_status = "CONFIRMED"', ["alice", "carol"]),
    ('cognito:user_status ^= "FORCE"', ["albert"]),
    ('status = "Disabled"', ["carol"]),
    ('status = "Enabled"', ["albert", "alice", "bob"]),
    ('email = "nobody@example.com"', []),
    ("", ["albert", "alice", "bob", "carol"]),
])
def test_list_users_filters(cognito: Any, people_pool: People, filter_: str,
                            expected: list[str]) -> None:
    pool_id, people = people_pool
    assert names(cognito, pool_id, filter_) == expected


def test_list_users_filter_on_sub(cognito: Any, people_pool: People) -> None:
    pool_id, people = people_pool
    sub = people["bob"]
    assert names(cognito, pool_id, f'sub = "{sub}"') == ["bob"]
    starting = sorted(n for n, s in people.items() if s.startswith(sub[:6]))
    assert names(cognito, pool_id, f'sub ^= "{sub[:6]}"') == starting


@pytest.mark.parametrize("filter_", [
    'custom:tier = "gold"',     # custom attributes are not searchable
    'locale = "en"',            # nor are most standard ones
    'email == "a"',
    "email = alice@example.com",
    'email = "a" and name = "b"',
])
def test_list_users_bad_filter(cognito: Any, pool_id: str, filter_: str) -> None:
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.list_users(UserPoolId=pool_id, Filter=filter_)


def test_list_users_pages(cognito: Any, people_pool: People) -> None:
    pool_id, people = people_pool
    seen: list[str] = []
    pages = 0
    kwargs: dict[str, Any] = {"UserPoolId": pool_id, "Limit": 3}
    while True:
        resp = cognito.list_users(**kwargs)
        pages += 1
        assert len(resp["Users"]) <= 3
        seen += [u["Username"] for u in resp["Users"]]
        if "PaginationToken" not in resp:
            break
        kwargs["PaginationToken"] = resp["PaginationToken"]
    assert pages == 2 and sorted(seen) == sorted(people) and len(seen) == len(set(seen))


def test_list_users_pages_a_filter(cognito: Any, people_pool: People) -> None:
    pool_id, people = people_pool
    first = cognito.list_users(UserPoolId=pool_id, Filter='email ^= "al"', Limit=1)
    assert len(first["Users"]) == 1 and first["PaginationToken"]
    second = cognito.list_users(UserPoolId=pool_id, Filter='email ^= "al"', Limit=1,
                                PaginationToken=first["PaginationToken"])
    got = [first["Users"][0]["Username"], second["Users"][0]["Username"]]
    assert sorted(got) == ["albert", "alice"]
    assert "PaginationToken" not in second or not cognito.list_users(
        UserPoolId=pool_id, Filter='email ^= "al"', Limit=1, PaginationToken=second["PaginationToken"])["Users"]


def test_list_users_paginator(cognito: Any, people_pool: People) -> None:
    pool_id, people = people_pool
    pages = cognito.get_paginator("list_users").paginate(UserPoolId=pool_id, PaginationConfig={"PageSize": 1})
    assert sorted(u["Username"] for page in pages for u in page["Users"]) == sorted(people)


def test_list_users_limit_and_token_are_checked(cognito: Any, pool_id: str) -> None:
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.list_users(UserPoolId=pool_id, Limit=61)
    with pytest.raises(cognito.exceptions.InvalidParameterException):
        cognito.list_users(UserPoolId=pool_id, PaginationToken="not-a-token")
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.list_users(UserPoolId="us-east-1_Nope12345")


def test_list_users_attributes_to_get(cognito: Any, people_pool: People) -> None:
    pool_id, people = people_pool
    users = cognito.list_users(UserPoolId=pool_id, AttributesToGet=["email", "given_name"])["Users"]
    by_name = {u["Username"]: as_dict(u["Attributes"]) for u in users}
    assert by_name["alice"] == {"email": "alice@example.com", "given_name": "Alice"}
    assert by_name["carol"] == {"email": "carol@test.net"}
    assert all(set(v) <= {"email", "given_name"} for v in by_name.values())
    full = cognito.list_users(UserPoolId=pool_id, Filter='username = "alice"')["Users"][0]
    assert {"sub", "phone_number", "family_name"} <= set(as_dict(full["Attributes"]))


def test_suppressed_invitation_without_a_password_signs_nobody_in_until_one_is_set(
    cognito: Any, pool_id: str, client_id: str
) -> None:
    created = cognito.admin_create_user(UserPoolId=pool_id, Username="quiet", MessageAction="SUPPRESS")
    assert created["User"]["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    with pytest.raises(cognito.exceptions.NotAuthorizedException, match="Incorrect username or password"):
        cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": "quiet", "PASSWORD": "Anything1"})
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="quiet", Password="Passw0rd!", Permanent=True)
    result = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": "quiet", "PASSWORD": "Passw0rd!"})
    assert "AccessToken" in result["AuthenticationResult"]
