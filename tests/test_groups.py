"""Groups with real boto3: CreateGroup, GetGroup, UpdateGroup, DeleteGroup, ListGroups,
AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminListGroupsForUser, ListUsersInGroup,
and the group claims in tokens."""

from __future__ import annotations

from typing import Any

import jwt
import pytest

from .conftest import LiveServer, confirmed_user, sign_in

ROLE_A = "arn:aws:iam::123456789012:role/reader"
ROLE_B = "arn:aws:iam::123456789012:role/writer"
NO_POOL = "us-east-1_NoSuchP00l"


def claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


def add(cognito: Any, pool_id: str, username: str, *groups: str) -> None:
    for group in groups:
        cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=username, GroupName=group)


def all_pages(call: Any, key: str, **kwargs: Any) -> list[list[dict[str, Any]]]:
    pages = []
    while True:
        resp = call(**kwargs)
        pages.append(resp[key])
        if "NextToken" not in resp:
            return pages
        kwargs["NextToken"] = resp["NextToken"]


# -- CreateGroup / GetGroup ---------------------------------------------------------


def test_create_group_returns_the_group(cognito: Any, pool_id: str, server: LiveServer) -> None:
    before = server.clock.now()
    group = cognito.create_group(UserPoolId=pool_id, GroupName="admins", Description="Admins",
                                 RoleArn=ROLE_A, Precedence=3)["Group"]
    after = server.clock.now()
    assert group["GroupName"] == "admins" and group["UserPoolId"] == pool_id
    assert group["Description"] == "Admins" and group["RoleArn"] == ROLE_A and group["Precedence"] == 3
    assert group["CreationDate"] == group["LastModifiedDate"]
    assert before - 0.001 <= group["CreationDate"].timestamp() <= after + 0.001
    assert cognito.get_group(UserPoolId=pool_id, GroupName="admins")["Group"] == group


def test_create_group_with_only_a_name(cognito: Any, pool_id: str) -> None:
    group = cognito.create_group(UserPoolId=pool_id, GroupName="plain")["Group"]
    for absent in ("Description", "RoleArn", "Precedence"):
        assert absent not in group, absent
    zero = cognito.create_group(UserPoolId=pool_id, GroupName="first", Precedence=0)["Group"]
    assert zero["Precedence"] == 0


def test_duplicate_group_is_refused(cognito: Any, pool_id: str) -> None:
    cognito.create_group(UserPoolId=pool_id, GroupName="admins", Description="original")
    with pytest.raises(cognito.exceptions.GroupExistsException):
        cognito.create_group(UserPoolId=pool_id, GroupName="admins", Description="second")
    assert cognito.get_group(UserPoolId=pool_id, GroupName="admins")["Group"]["Description"] == "original"
    # The same name in another pool is a different group.
    other = cognito.create_user_pool(PoolName="other")["UserPool"]["Id"]
    assert cognito.create_group(UserPoolId=other, GroupName="admins")["Group"]["UserPoolId"] == other


@pytest.mark.parametrize("kwargs, match", [
    ({"GroupName": "has space"}, "groupName"),
    ({"GroupName": "g" * 129}, "groupName"),
    ({"GroupName": "g", "RoleArn": "not-an-arn-at-all-really"}, "roleArn"),
    ({"GroupName": "g", "Precedence": -1}, "precedence"),
    ({"GroupName": "g", "Description": "d" * 2049}, "description"),
    ({}, "'groupName'.*not be null"),
])
def test_create_group_validation(unchecked: Any, pool_id: str, kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(unchecked.exceptions.InvalidParameterException, match=match):
        unchecked.create_group(UserPoolId=pool_id, **kwargs)


def test_unknown_pool_or_group(cognito: Any, pool_id: str) -> None:
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.create_group(UserPoolId=NO_POOL, GroupName="admins")
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.get_group(UserPoolId=NO_POOL, GroupName="admins")
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.get_group(UserPoolId=pool_id, GroupName="admins")
    with pytest.raises(cognito.exceptions.InvalidParameterException, match="userPoolId"):
        cognito.get_group(UserPoolId="bad", GroupName="admins")


# -- UpdateGroup --------------------------------------------------------------------


def test_update_group_changes_what_it_names(cognito: Any, pool_id: str, server: LiveServer) -> None:
    created = cognito.create_group(UserPoolId=pool_id, GroupName="admins", Description="old",
                                   RoleArn=ROLE_A, Precedence=3)["Group"]
    server.clock.advance(30)
    updated = cognito.update_group(UserPoolId=pool_id, GroupName="admins", Description="new",
                                   Precedence=1)["Group"]
    assert updated["Description"] == "new" and updated["Precedence"] == 1
    assert updated["RoleArn"] == ROLE_A
    assert updated["CreationDate"] == created["CreationDate"]
    assert (updated["LastModifiedDate"] - created["LastModifiedDate"]).total_seconds() > 29.999
    assert cognito.get_group(UserPoolId=pool_id, GroupName="admins")["Group"] == updated
    again = cognito.update_group(UserPoolId=pool_id, GroupName="admins", RoleArn=ROLE_B)["Group"]
    assert (again["RoleArn"], again["Description"], again["Precedence"]) == (ROLE_B, "new", 1)


def test_update_group_errors(cognito: Any, unchecked: Any, pool_id: str) -> None:
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.update_group(UserPoolId=pool_id, GroupName="missing", Description="x")
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.update_group(UserPoolId=NO_POOL, GroupName="missing")
    cognito.create_group(UserPoolId=pool_id, GroupName="admins", Precedence=2)
    with pytest.raises(unchecked.exceptions.InvalidParameterException, match="precedence"):
        unchecked.update_group(UserPoolId=pool_id, GroupName="admins", Precedence=-5)
    assert cognito.get_group(UserPoolId=pool_id, GroupName="admins")["Group"]["Precedence"] == 2


# -- DeleteGroup --------------------------------------------------------------------


def test_delete_group_removes_it_and_its_memberships(cognito: Any, pool_id: str) -> None:
    confirmed_user(cognito, pool_id, "alice")
    cognito.create_group(UserPoolId=pool_id, GroupName="admins")
    cognito.create_group(UserPoolId=pool_id, GroupName="staff")
    add(cognito, pool_id, "alice", "admins", "staff")
    cognito.delete_group(UserPoolId=pool_id, GroupName="admins")
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.get_group(UserPoolId=pool_id, GroupName="admins")
    groups = cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username="alice")["Groups"]
    assert [g["GroupName"] for g in groups] == ["staff"]
    # A new group of the same name starts empty.
    cognito.create_group(UserPoolId=pool_id, GroupName="admins")
    assert cognito.list_users_in_group(UserPoolId=pool_id, GroupName="admins")["Users"] == []
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.delete_group(UserPoolId=pool_id, GroupName="nope")
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.delete_group(UserPoolId=NO_POOL, GroupName="admins")


# -- ListGroups ---------------------------------------------------------------------


def test_list_groups_pages(cognito: Any, pool_id: str) -> None:
    names = [f"g{i}" for i in range(5)]
    for i, name in enumerate(names):
        cognito.create_group(UserPoolId=pool_id, GroupName=name, Precedence=i)
    pages = all_pages(cognito.list_groups, "Groups", UserPoolId=pool_id, Limit=2)
    assert [len(p) for p in pages] == [2, 2, 1]
    listed = [g for page in pages for g in page]
    assert sorted(g["GroupName"] for g in listed) == names
    assert all(g["UserPoolId"] == pool_id and g["Precedence"] == int(g["GroupName"][1]) for g in listed)
    whole = cognito.list_groups(UserPoolId=pool_id)
    assert len(whole["Groups"]) == 5 and "NextToken" not in whole
    paged = [g["GroupName"] for page in cognito.get_paginator("list_groups").paginate(
        UserPoolId=pool_id, PaginationConfig={"PageSize": 3}) for g in page["Groups"]]
    assert sorted(paged) == names


def test_list_groups_of_a_pool_without_groups(cognito: Any, pool_id: str) -> None:
    other = cognito.create_user_pool(PoolName="other")["UserPool"]["Id"]
    cognito.create_group(UserPoolId=other, GroupName="elsewhere")
    resp = cognito.list_groups(UserPoolId=pool_id)
    assert resp["Groups"] == [] and "NextToken" not in resp


@pytest.mark.parametrize("kwargs, error", [
    ({"UserPoolId": NO_POOL}, "ResourceNotFoundException"),
    ({"Limit": 61}, "InvalidParameterException"),
    ({"Limit": -1}, "InvalidParameterException"),
    ({"NextToken": "garbage"}, "InvalidParameterException"),
])
def test_list_groups_errors(unchecked: Any, pool_id: str, kwargs: dict[str, Any], error: str) -> None:
    with pytest.raises(getattr(unchecked.exceptions, error)):
        unchecked.list_groups(**{"UserPoolId": pool_id, **kwargs})


# -- Membership ---------------------------------------------------------------------


def test_add_and_remove_membership(cognito: Any, pool_id: str) -> None:
    confirmed_user(cognito, pool_id, "alice", email="alice@example.com")
    confirmed_user(cognito, pool_id, "bob")
    cognito.create_group(UserPoolId=pool_id, GroupName="admins", Precedence=1)
    add(cognito, pool_id, "alice", "admins", "admins")  # adding twice is harmless
    add(cognito, pool_id, "bob", "admins")
    users = cognito.list_users_in_group(UserPoolId=pool_id, GroupName="admins")["Users"]
    assert sorted(u["Username"] for u in users) == ["alice", "bob"]
    alice = next(u for u in users if u["Username"] == "alice")
    assert alice["UserStatus"] == "CONFIRMED" and alice["Enabled"] is True
    assert {"Name": "email", "Value": "alice@example.com"} in alice["Attributes"]
    groups = cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username="alice")["Groups"]
    assert groups == [cognito.get_group(UserPoolId=pool_id, GroupName="admins")["Group"]]
    cognito.admin_remove_user_from_group(UserPoolId=pool_id, Username="alice", GroupName="admins")
    assert cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username="alice")["Groups"] == []
    users = cognito.list_users_in_group(UserPoolId=pool_id, GroupName="admins")["Users"]
    assert [u["Username"] for u in users] == ["bob"]


def test_deleted_user_leaves_its_groups(cognito: Any, pool_id: str) -> None:
    confirmed_user(cognito, pool_id, "alice")
    cognito.create_group(UserPoolId=pool_id, GroupName="admins")
    add(cognito, pool_id, "alice", "admins")
    cognito.admin_delete_user(UserPoolId=pool_id, Username="alice")
    assert cognito.list_users_in_group(UserPoolId=pool_id, GroupName="admins")["Users"] == []
    confirmed_user(cognito, pool_id, "alice")
    assert cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username="alice")["Groups"] == []


def test_membership_in_a_case_insensitive_pool(cognito: Any) -> None:
    pool_id = cognito.create_user_pool(PoolName="ci", UsernameConfiguration={"CaseSensitive": False})["UserPool"]["Id"]
    confirmed_user(cognito, pool_id, "alice")
    cognito.create_group(UserPoolId=pool_id, GroupName="admins")
    add(cognito, pool_id, "ALICE", "admins")
    groups = cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username="Alice")["Groups"]
    assert [g["GroupName"] for g in groups] == ["admins"]
    users = cognito.list_users_in_group(UserPoolId=pool_id, GroupName="admins")["Users"]
    assert [u["Username"] for u in users] == ["alice"]


def test_membership_errors(cognito: Any, pool_id: str) -> None:
    confirmed_user(cognito, pool_id, "alice")
    cognito.create_group(UserPoolId=pool_id, GroupName="admins")
    calls = (cognito.admin_add_user_to_group, cognito.admin_remove_user_from_group)
    for call in calls:
        with pytest.raises(cognito.exceptions.UserNotFoundException):
            call(UserPoolId=pool_id, Username="ghost", GroupName="admins")
        with pytest.raises(cognito.exceptions.ResourceNotFoundException):
            call(UserPoolId=pool_id, Username="alice", GroupName="missing")
        with pytest.raises(cognito.exceptions.ResourceNotFoundException):
            call(UserPoolId=NO_POOL, Username="alice", GroupName="admins")
    with pytest.raises(cognito.exceptions.UserNotFoundException):
        cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username="ghost")
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.admin_list_groups_for_user(UserPoolId=NO_POOL, Username="alice")
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.list_users_in_group(UserPoolId=pool_id, GroupName="missing")
    with pytest.raises(cognito.exceptions.ResourceNotFoundException):
        cognito.list_users_in_group(UserPoolId=NO_POOL, GroupName="admins")


def test_membership_lists_page(cognito: Any, unchecked: Any, pool_id: str) -> None:
    groups = [f"g{i}" for i in range(5)]
    users = [f"user{i}" for i in range(5)]
    for g in groups:
        cognito.create_group(UserPoolId=pool_id, GroupName=g)
    for u in users:
        confirmed_user(cognito, pool_id, u)
        add(cognito, pool_id, u, "g0")
    add(cognito, pool_id, "user0", *groups[1:])
    pages = all_pages(cognito.admin_list_groups_for_user, "Groups", UserPoolId=pool_id, Username="user0", Limit=2)
    assert [len(p) for p in pages] == [2, 2, 1]
    assert sorted(g["GroupName"] for p in pages for g in p) == groups
    pages = all_pages(cognito.list_users_in_group, "Users", UserPoolId=pool_id, GroupName="g0", Limit=2)
    assert [len(p) for p in pages] == [2, 2, 1]
    assert sorted(u["Username"] for p in pages for u in p) == users
    paged = [u["Username"] for page in cognito.get_paginator("list_users_in_group").paginate(
        UserPoolId=pool_id, GroupName="g0", PaginationConfig={"PageSize": 4}) for u in page["Users"]]
    assert sorted(paged) == users
    with pytest.raises(unchecked.exceptions.InvalidParameterException, match="limit"):
        unchecked.list_users_in_group(UserPoolId=pool_id, GroupName="g0", Limit=61)
    with pytest.raises(unchecked.exceptions.InvalidParameterException, match="limit"):
        unchecked.admin_list_groups_for_user(UserPoolId=pool_id, Username="user0", Limit=61)
    with pytest.raises(unchecked.exceptions.InvalidParameterException):
        unchecked.list_users_in_group(UserPoolId=pool_id, GroupName="g0", NextToken="garbage")


# -- Group claims in tokens ---------------------------------------------------------


def test_groups_appear_in_both_tokens_and_follow_changes(cognito: Any, pool_id: str, client_id: str) -> None:
    confirmed_user(cognito, pool_id, "alice")
    first = sign_in(cognito, client_id, "alice")
    assert "cognito:groups" not in claims(first["IdToken"])
    assert "cognito:groups" not in claims(first["AccessToken"])
    cognito.create_group(UserPoolId=pool_id, GroupName="admins")
    cognito.create_group(UserPoolId=pool_id, GroupName="staff")
    add(cognito, pool_id, "alice", "admins", "staff")
    tokens = sign_in(cognito, client_id, "alice")
    assert sorted(claims(tokens["IdToken"])["cognito:groups"]) == ["admins", "staff"]
    assert sorted(claims(tokens["AccessToken"])["cognito:groups"]) == ["admins", "staff"]
    assert "cognito:roles" not in claims(tokens["IdToken"])
    assert "cognito:preferred_role" not in claims(tokens["IdToken"])
    # A refresh reads membership afresh.
    cognito.admin_remove_user_from_group(UserPoolId=pool_id, Username="alice", GroupName="admins")
    refreshed = cognito.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                                      AuthParameters={"REFRESH_TOKEN": first["RefreshToken"]})["AuthenticationResult"]
    assert claims(refreshed["IdToken"])["cognito:groups"] == ["staff"]
    cognito.delete_group(UserPoolId=pool_id, GroupName="staff")
    assert "cognito:groups" not in claims(sign_in(cognito, client_id, "alice")["IdToken"])


def test_roles_and_preferred_role_follow_precedence(cognito: Any, pool_id: str, client_id: str) -> None:
    confirmed_user(cognito, pool_id, "alice")
    cognito.create_group(UserPoolId=pool_id, GroupName="readers", RoleArn=ROLE_A, Precedence=1)
    cognito.create_group(UserPoolId=pool_id, GroupName="writers", RoleArn=ROLE_B, Precedence=5)
    cognito.create_group(UserPoolId=pool_id, GroupName="plain", Precedence=0)
    add(cognito, pool_id, "alice", "readers", "writers", "plain")
    id_claims = claims(sign_in(cognito, client_id, "alice")["IdToken"])
    assert sorted(id_claims["cognito:roles"]) == [ROLE_A, ROLE_B]
    assert id_claims["cognito:preferred_role"] == ROLE_A
    access = claims(sign_in(cognito, client_id, "alice")["AccessToken"])
    assert sorted(access["cognito:groups"]) == ["plain", "readers", "writers"]
    assert "cognito:roles" not in access and "cognito:preferred_role" not in access
    cognito.update_group(UserPoolId=pool_id, GroupName="readers", Precedence=9)
    assert claims(sign_in(cognito, client_id, "alice")["IdToken"])["cognito:preferred_role"] == ROLE_B


def test_precedence_tie_with_different_roles_has_no_preferred_role(cognito: Any, pool_id: str, client_id: str) -> None:
    confirmed_user(cognito, pool_id, "alice")
    cognito.create_group(UserPoolId=pool_id, GroupName="readers", RoleArn=ROLE_A, Precedence=2)
    cognito.create_group(UserPoolId=pool_id, GroupName="writers", RoleArn=ROLE_B, Precedence=2)
    add(cognito, pool_id, "alice", "readers", "writers")
    id_claims = claims(sign_in(cognito, client_id, "alice")["IdToken"])
    assert sorted(id_claims["cognito:roles"]) == [ROLE_A, ROLE_B]
    assert "cognito:preferred_role" not in id_claims
    # The same role on both tied groups is preferred.
    cognito.update_group(UserPoolId=pool_id, GroupName="writers", RoleArn=ROLE_A)
    id_claims = claims(sign_in(cognito, client_id, "alice")["IdToken"])
    assert id_claims["cognito:roles"] == [ROLE_A]
    assert id_claims["cognito:preferred_role"] == ROLE_A
