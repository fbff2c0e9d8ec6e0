"""--deterministic-ids: the same names give the same ids in a fresh store, and an id is
never given twice within one store, so no new user (or pool, client...) can take over
an existing one's row."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .conftest import PASSWORD, LiveServer, sign_in, start_server

FLOWS = ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]


@pytest.fixture
def deterministic(tmp_path: Path) -> Any:
    server = start_server(tmp_path, deterministic_ids=True)
    yield server
    server.stop()


def _attrs(user: dict[str, Any]) -> dict[str, str]:
    return {a["Name"]: a["Value"] for a in user.get("UserAttributes", user.get("Attributes", []))}


def email_pool(cognito: Any) -> tuple[str, str]:
    pool_id = cognito.create_user_pool(PoolName="by-email", UsernameAttributes=["email"])["UserPool"]["Id"]
    client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName="web",
                                                ExplicitAuthFlows=FLOWS)["UserPoolClient"]["ClientId"]
    return pool_id, client_id


def moved_email_then_sign_up(server: LiveServer) -> dict[str, Any]:
    """A signs up as a@example.com, moves to moved@example.com; B signs up as a@example.com."""
    cognito = server.client()
    pool_id, client_id = email_pool(cognito)
    a_sub = cognito.sign_up(ClientId=client_id, Username="a@example.com", Password=PASSWORD)["UserSub"]
    cognito.admin_confirm_sign_up(UserPoolId=pool_id, Username="a@example.com")
    a_tokens = sign_in(cognito, client_id, "a@example.com")
    cognito.admin_update_user_attributes(UserPoolId=pool_id, Username="a@example.com", UserAttributes=[
        {"Name": "email", "Value": "moved@example.com"}, {"Name": "email_verified", "Value": "true"}])
    b_sub = cognito.sign_up(ClientId=client_id, Username="a@example.com", Password="Other1pass!")["UserSub"]
    return {"pool_id": pool_id, "client_id": client_id, "a_sub": a_sub, "b_sub": b_sub, "a_tokens": a_tokens}


def test_a_new_user_never_takes_an_existing_users_row(deterministic: LiveServer) -> None:
    cognito = deterministic.client()
    made = moved_email_then_sign_up(deterministic)
    pool_id, a_sub, b_sub = made["pool_id"], made["a_sub"], made["b_sub"]
    assert a_sub != b_sub
    # A is still there, signs in with the new email and the old password...
    a = cognito.admin_get_user(UserPoolId=pool_id, Username=a_sub)
    assert _attrs(a)["email"] == "moved@example.com" and a["UserStatus"] == "CONFIRMED"
    assert "AccessToken" in sign_in(cognito, made["client_id"], "moved@example.com")
    # ... and A's earlier access token still reads A, not the newcomer.
    me = cognito.get_user(AccessToken=made["a_tokens"]["AccessToken"])
    assert me["Username"] == a_sub and _attrs(me)["email"] == "moved@example.com"
    b = cognito.admin_get_user(UserPoolId=pool_id, Username="a@example.com")
    assert b["Username"] == b_sub and b["UserStatus"] == "UNCONFIRMED" and _attrs(b)["sub"] == b_sub
    users = cognito.list_users(UserPoolId=pool_id)["Users"]
    assert sorted(u["Username"] for u in users) == sorted([a_sub, b_sub])


def test_admin_create_user_does_not_take_a_moved_users_sub(deterministic: LiveServer) -> None:
    cognito = deterministic.client()
    pool_id, client_id = email_pool(cognito)
    first = cognito.admin_create_user(UserPoolId=pool_id, Username="a@example.com", MessageAction="SUPPRESS")
    a_sub = first["User"]["Username"]
    cognito.admin_set_user_password(UserPoolId=pool_id, Username=a_sub, Password=PASSWORD, Permanent=True)
    cognito.admin_update_user_attributes(UserPoolId=pool_id, Username=a_sub,
                                         UserAttributes=[{"Name": "email", "Value": "moved@example.com"}])
    second = cognito.admin_create_user(UserPoolId=pool_id, Username="a@example.com", MessageAction="SUPPRESS")
    assert second["User"]["Username"] != a_sub
    assert "AccessToken" in sign_in(cognito, client_id, "moved@example.com")
    assert len(cognito.list_users(UserPoolId=pool_id)["Users"]) == 2


def test_the_same_names_give_the_same_ids_in_a_fresh_store(tmp_path: Path) -> None:
    runs = []
    for run in ("one", "two"):
        server = start_server(tmp_path / run, deterministic_ids=True)
        try:
            made = moved_email_then_sign_up(server)
            runs.append((made["pool_id"], made["client_id"], made["a_sub"], made["b_sub"]))
        finally:
            server.stop()
    assert runs[0] == runs[1]


def test_the_store_never_replaces_one_entity_with_another(tmp_path: Path) -> None:
    """Unit: creating a row whose key (or sub) is taken is refused, and saving a row
    only ever updates that row (an in-process check of the store's contract)."""
    from emulator.records import Client, Group, Pool, User
    from emulator.store import Conflict, Store

    store = Store(tmp_path)
    try:
        with store.transaction():
            store.add_pool(Pool(id="us-east-1_AAAAAAAAA", name="p", created=1, modified=1, config={}))
            store.add_user(User(pool_id="us-east-1_AAAAAAAAA", username="alice", sub="s-1", status="CONFIRMED",
                                enabled=True, created=1, modified=1, attributes={"email": "a@x.io"}), "alice")
        clash = [
            lambda: store.add_pool(Pool(id="us-east-1_AAAAAAAAA", name="other", created=2, modified=2)),
            lambda: store.add_client(Client(id="c1", pool_id="us-east-1_AAAAAAAAA", name="c", created=2,
                                            modified=2)),
            lambda: store.add_group(Group(pool_id="us-east-1_AAAAAAAAA", name="g", created=2, modified=2)),
            # Another name with alice's sub, and alice's name with another sub.
            lambda: store.add_user(User(pool_id="us-east-1_AAAAAAAAA", username="bob", sub="s-1",
                                        status="UNCONFIRMED", enabled=True, created=2, modified=2), "bob"),
            lambda: store.add_user(User(pool_id="us-east-1_AAAAAAAAA", username="alice", sub="s-2",
                                        status="UNCONFIRMED", enabled=True, created=2, modified=2), "alice"),
        ]
        with store.transaction():
            clash[1]()  # the client and the group exist once...
            clash[2]()
        for attempt in clash:  # ... and none of these may replace what is there
            with pytest.raises(Conflict), store.transaction():
                attempt()
        # Saving a user who is not there creates nobody.
        ghost = User(pool_id="us-east-1_AAAAAAAAA", username="ghost", sub="s-9", status="CONFIRMED",
                     enabled=True, created=3, modified=3)
        with store.transaction():
            store.put_user(ghost, "ghost")
        assert store.get_user("us-east-1_AAAAAAAAA", "ghost") is None
        alice = store.get_user("us-east-1_AAAAAAAAA", "alice")
        assert alice is not None and alice.sub == "s-1" and alice.status == "CONFIRMED"
        assert store.get_pool("us-east-1_AAAAAAAAA").name == "p"  # type: ignore[union-attr]
    finally:
        store.close()
