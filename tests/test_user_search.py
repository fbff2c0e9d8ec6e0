"""ListUsers searches answered from an index (userfilter.py, store.list_users): the
statement each filter runs is explained by SQLite, and its plan must search an index
on the filtered attribute with no sort step; plus ordering and paging behaviour through
boto3."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest

from emulator import userfilter
from emulator.records import Pool, User
from emulator.store import Store, UserQuery

FILTERS = [f'{name} {op} "Ab"' for name, op in itertools.product(userfilter.SEARCHABLE, ("=", "^="))
           if name != "status"] + ['status = "Enabled"', 'status = "Disabled"']


def _plan(store: Store, sql: str) -> str:
    rows = store.db.raw.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
    return " | ".join(r[3] for r in rows)


def _statements(store: Store, run: Any) -> list[str]:
    seen: list[str] = []
    store.db.raw.set_trace_callback(seen.append)
    try:
        run()
    finally:
        store.db.raw.set_trace_callback(None)
    return [s for s in seen if s.lstrip().upper().startswith("SELECT")]


@pytest.fixture
def store(tmp_path: Path) -> Any:
    store = Store(tmp_path)
    pool = Pool(id="us-east-1_Plan", name="p", created=0.0, modified=0.0)
    store.add_pool(pool)
    for i in range(3):
        store.add_user(User(pool_id=pool.id, username=f"u{i}", sub=f"s{i}", status="CONFIRMED", enabled=True,
                            created=0.0, modified=0.0, attributes={"email": f"ab{i}@x", "name": "Ab"}), f"u{i}")
    yield store
    store.close()


@pytest.mark.parametrize("text", FILTERS)
@pytest.mark.parametrize("paged", [False, True])
def test_every_filter_searches_an_index_without_sorting(store: Store, text: str, paged: bool) -> None:
    pool = Pool(id="us-east-1_Plan", name="p", created=0.0, modified=0.0)
    query = userfilter.parse(pool, text)
    after: str | tuple[str, str] = ("Ab", "u1") if paged and query.prefix is not None else ("u1" if paged else "")
    statements = _statements(store, lambda: store.list_users(pool.id, query, after, 61))
    assert len(statements) == 1
    plan = _plan(store, statements[0])
    column = query.column or ""
    index = {"ukey": "sqlite_autoindex_users_1", "sub": "users_sub"}.get(column, "users_by_")
    assert plan.startswith(f"SEARCH users USING INDEX {index}"), plan
    assert "TEMP B-TREE" not in plan, plan
    # Bounded on both sides by the searched attribute: an equality, or a range whose lower
    # end is the page's (value, ukey) pair (or the value itself in a unique index).
    bounds = plan[plan.index("(pool_id=? AND "):]
    if query.prefix is None:
        assert f"{column}=?" in bounds, plan
    else:
        assert f"{column}<?" in bounds and (f"({column},ukey)>(?,?)" in bounds or f"{column}>?" in bounds), plan


@pytest.mark.parametrize("what", ["members", "groups"])
def test_group_listings_search_an_index_without_sorting(store: Store, what: str) -> None:
    run = (lambda: store.members_of("us-east-1_Plan", "g", "u0", 61)) if what == "members" else (
        lambda: store.groups_of("us-east-1_Plan", "u1", "a", 61))
    statements = _statements(store, run)
    plan = _plan(store, statements[0])
    assert "SCAN" not in plan and "TEMP B-TREE" not in plan, plan


def test_unknown_query_column_is_impossible() -> None:
    # The store splices query.column into SQL: only userfilter's fixed expressions reach it.
    assert all("?" not in c and ";" not in c for c, _ in userfilter.SEARCHABLE.values())
    assert UserQuery().column is None


# -- through boto3 ------------------------------------------------------------------------


def _add(cognito: Any, pool_id: str, username: str, **attributes: str) -> None:
    cognito.admin_create_user(UserPoolId=pool_id, Username=username, MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()])


def _pages(cognito: Any, pool_id: str, text: str, limit: int, between: Any = None) -> list[list[str]]:
    pages: list[list[str]] = []
    kwargs: dict[str, Any] = {"UserPoolId": pool_id, "Filter": text, "Limit": limit}
    while True:
        resp = cognito.list_users(**kwargs)
        pages.append([u["Username"] for u in resp["Users"]])
        if "PaginationToken" not in resp:
            return pages
        kwargs["PaginationToken"] = resp["PaginationToken"]
        if between is not None:
            between(len(pages))


def test_a_search_comes_in_order_of_the_attribute_then_the_username(cognito: Any, pool_id: str) -> None:
    for username, family in (("u1", "Smith"), ("u2", "Adams"), ("u0", "Smith"), ("u3", "Sanchez"), ("u4", "Jones")):
        _add(cognito, pool_id, username, family_name=family)
    assert _pages(cognito, pool_id, 'family_name ^= "S"', 60) == [["u3", "u0", "u1"]]
    assert sum(_pages(cognito, pool_id, 'family_name ^= ""', 2), []) == ["u2", "u4", "u3", "u0", "u1"]
    assert sum(_pages(cognito, pool_id, 'family_name = "Smith"', 1), []) == ["u0", "u1"]


@pytest.mark.parametrize("text", ['given_name ^= "A"', 'given_name = "Ann"', 'username ^= "m"', ""])
def test_pages_stay_valid_while_users_are_added(cognito: Any, pool_id: str, text: str) -> None:
    before = [f"m{i:02d}" for i in range(0, 20, 2)]
    for name in before:
        _add(cognito, pool_id, name, given_name="Ann")
    added: list[str] = []

    def add_more(page: int) -> None:  # one user sorting before the page read, one after
        for name in (f"m{page * 2 - 1:02d}", f"m{page * 2 + 11:02d}"):
            if name not in added:
                _add(cognito, pool_id, name, given_name="Ann")
                added.append(name)

    seen = sum(_pages(cognito, pool_id, text, 3, add_more), [])
    assert len(seen) == len(set(seen)), seen  # nothing twice
    assert set(before) <= set(seen), seen  # nothing there from the start missed
    assert seen == sorted(seen)


def test_a_token_of_another_shape_is_refused(cognito: Any, pool_id: str) -> None:
    import base64
    import json
    for body in ({"k": "a", "v": 3}, ["k"], {"v": "a"}):
        token = base64.urlsafe_b64encode(json.dumps(body).encode()).decode()
        with pytest.raises(cognito.exceptions.InvalidParameterException):
            cognito.list_users(UserPoolId=pool_id, Filter='name ^= "a"', PaginationToken=token)


def test_the_migration_fills_the_search_columns_of_existing_users(tmp_path: Path) -> None:
    import sqlite3

    from emulator.store import DB_FILE, MIGRATIONS
    db = sqlite3.connect(str(tmp_path / DB_FILE), isolation_level=None)
    for step, migration in enumerate(MIGRATIONS[:5], start=1):
        migration(db)
        db.execute(f"PRAGMA user_version={step}")
    db.execute("INSERT INTO users (pool_id, ukey, username, sub, status, enabled, created, modified, attributes)"
               " VALUES ('p', 'ann', 'ann', 's', 'CONFIRMED', 1, 0, 0, ?)", ('{"given_name": "Ann", "name": "A B"}',))
    db.close()
    store = Store(tmp_path)
    try:
        found = store.list_users("p", userfilter.parse(Pool(id="p", name="p", created=0.0, modified=0.0),
                                                       'given_name ^= "An"'), "", 10)
        assert [u.username for _, u in found] == ["ann"]
        assert store.db.execute("SELECT name, family_name FROM users").fetchone() == ("A B", None)
    finally:
        store.close()
