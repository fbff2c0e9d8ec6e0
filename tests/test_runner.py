"""The call runner (emulator/runner.py): units of work that never span an await, one run
of a handler per request, after-commit steps that follow a durable commit (and only
then), through the JSON API and the hosted UI alike."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from emulator import passwords, runner, sqlconn
from emulator.api import ACTIONS, Context, Services
from emulator.clock import ManualClock
from emulator.errors import CognitoError, NotAuthorizedException
from emulator.ids import IdSource
from emulator.settings import Settings
from emulator.store import Store
from emulator.tokens import KeyStore

from .conftest import PASSWORD, LiveServer, confirmed_user, start_server
from .hosted import Browser, authorize_params, oauth_client, oauth_pool
from .test_outbox import Inbox, free_port

# -- units of the runner, on a real SQLite file ---------------------------------------------


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    settings = Settings(data_dir=tmp_path / "d", keys_dir=tmp_path / "k")
    store = Store(settings.data_dir, "NORMAL")
    store.db.execute("CREATE TABLE t (x TEXT)")
    yield Services(settings=settings, store=store, clock=ManualClock(), keys=KeyStore(settings.keys_dir),
                   ids=IdSource())
    store.close()


def _ctx(services: Services) -> Context:
    return Context(services=services, region="us-east-1", base_url="http://127.0.0.1", action="Test")


def _rows(path: Path) -> set[str]:
    with sqlite3.connect(path / "cognito.db") as other:  # another connection: committed rows only
        return {r[0] for r in other.execute("SELECT x FROM t")}


def test_other_calls_run_while_one_waits_on_an_offload(services: Services, tmp_path: Path) -> None:
    """A write before an offload is released into the group before the await, so the
    loop serves another call meanwhile; had the unit spanned the await, the second
    call could not open its own (one unit at a time per thread)."""
    other_ran = threading.Event()

    async def slow(ctx: Context, value: str) -> str:
        ctx.store.db.execute("INSERT INTO t VALUES (?)", (value,))
        waited = await ctx.offload(other_ran.wait, 5)
        ctx.store.db.execute("INSERT INTO t VALUES (?)", (value + "-after",))
        return f"{value}:{waited}"

    def quick(ctx: Context, value: str) -> str:
        ctx.store.db.execute("INSERT INTO t VALUES (?)", (value,))
        other_ran.set()
        return value

    async def both() -> list[str]:
        first = asyncio.create_task(runner.run(_ctx(services), slow, "a"))
        await asyncio.sleep(0)  # let the first call reach its offload
        return [await runner.run(_ctx(services), quick, "b"), await first]

    assert asyncio.run(both()) == ["b", "a:True"]
    assert _rows(tmp_path / "d") == {"a", "a-after", "b"}


def test_a_handler_runs_once_and_its_after_commit_step_follows_the_commit(services: Services,
                                                                          tmp_path: Path) -> None:
    runs: list[str] = []
    seen_after: list[set[str]] = []

    async def handler(ctx: Context, value: str) -> str:
        runs.append(value)
        await ctx.offload(passwords.check, "x", passwords.hash_password("x", 4))
        ctx.store.db.execute("INSERT INTO t VALUES (?)", (value,))
        ctx.after_commit.append(lambda: seen_after.append(_rows(tmp_path / "d")))
        return value

    assert asyncio.run(runner.run(_ctx(services), handler, "a")) == "a"
    assert runs == ["a"] and seen_after == [{"a"}]


def test_after_commit_steps_are_kept_on_a_cognito_error_and_dropped_on_a_bug(services: Services,
                                                                              tmp_path: Path) -> None:
    steps: list[str] = []

    def failing(error: BaseException) -> Any:
        def handler(ctx: Context, value: str) -> str:
            ctx.store.db.execute("INSERT INTO t VALUES (?)", (value,))
            ctx.after_commit.append(lambda: steps.append(value))
            raise error
        return handler

    with pytest.raises(NotAuthorizedException):
        asyncio.run(runner.run(_ctx(services), failing(NotAuthorizedException("no")), "kept"))
    with pytest.raises(ZeroDivisionError):
        asyncio.run(runner.run(_ctx(services), failing(ZeroDivisionError()), "dropped"))
    assert steps == ["kept"] and _rows(tmp_path / "d") == {"kept"}


def test_a_failed_commit_drops_the_after_commit_steps(services: Services, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    steps: list[str] = []
    finish = sqlconn.Connections._finish

    def failing_commit(self: sqlconn.Connections, commit: bool) -> None:
        finish(self, False)
        if commit:
            raise sqlite3.OperationalError("disk I/O error (injected)")

    def handler(ctx: Context, value: str) -> str:
        ctx.store.db.execute("INSERT INTO t VALUES (?)", (value,))
        ctx.after_commit.append(lambda: steps.append(value))
        return value

    monkeypatch.setattr(sqlconn.Connections, "_finish", failing_commit)
    with pytest.raises(CognitoError) as raised:
        asyncio.run(runner.run(_ctx(services), handler, "lost"))
    assert raised.value.code == "InternalErrorException" and steps == []
    monkeypatch.undo()
    assert _rows(tmp_path / "d") == set()


def test_an_inline_call_finishes_without_a_loop_and_does_its_offloads_in_place(services: Services) -> None:
    threads: list[str] = []

    async def handler(ctx: Context, value: str) -> str:
        return await ctx.offload(lambda: threads.append(threading.current_thread().name) or value)

    with services.store.transaction():
        assert runner.run_inline(_ctx(services), handler, "seeded") == "seeded"
    assert threads == [threading.current_thread().name]


# -- through the live server ----------------------------------------------------------------


def test_no_handler_runs_twice_for_one_request(cognito: Any, pool_id: str, client_id: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A sign-in checks its password once, on a worker, and its handler runs once
    (the check-ahead design ran it twice: once to find the hash, once with the answer)."""
    confirmed_user(cognito, pool_id, "once")
    calls: dict[str, int] = {"InitiateAuth": 0, "ChangePassword": 0, "check": 0}
    for name in ("InitiateAuth", "ChangePassword"):
        monkeypatch.setitem(ACTIONS, name, _counting(ACTIONS[name], calls, name))
    check = passwords.check

    def counted_check(password: str, hashed: str) -> bool:
        calls["check"] += 1
        return check(password, hashed)

    monkeypatch.setattr(passwords, "check", counted_check)
    tokens = cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": "once", "PASSWORD": PASSWORD})
    assert calls == {"InitiateAuth": 1, "ChangePassword": 0, "check": 1}
    cognito.change_password(AccessToken=tokens["AuthenticationResult"]["AccessToken"],
                            PreviousPassword=PASSWORD, ProposedPassword="N3w-Passw0rd")
    assert calls == {"InitiateAuth": 1, "ChangePassword": 1, "check": 2}
    with pytest.raises(cognito.exceptions.NotAuthorizedException):
        cognito.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                              AuthParameters={"USERNAME": "once", "PASSWORD": PASSWORD})
    assert calls == {"InitiateAuth": 2, "ChangePassword": 1, "check": 3}


def _counting(handler: Any, calls: dict[str, int], name: str) -> Any:
    def counted(ctx: Context, req: dict[str, Any]) -> Any:
        calls[name] += 1
        return handler(ctx, req)
    return counted


@pytest.fixture
def mailed(tmp_path: Path) -> Iterator[tuple[LiveServer, Inbox]]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    live = start_server(tmp_path, smtp_host="127.0.0.1", smtp_port=controller.port)
    yield live, inbox
    live.stop()
    controller.stop()


def test_email_follows_the_commit_from_the_api_and_the_hosted_ui_alike(
        mailed: tuple[LiveServer, Inbox], monkeypatch: pytest.MonkeyPatch) -> None:
    """SMTP delivery is an after-commit step: sent once the call's writes are durable,
    whichever edge ran ForgotPassword, and never when its commit fails."""
    live, inbox = mailed
    cognito = live.client()
    pool_id = oauth_pool(cognito, AutoVerifiedAttributes=["email"])
    client = oauth_client(cognito, pool_id)
    cognito.admin_create_user(UserPoolId=pool_id, Username="alice", MessageAction="SUPPRESS",
                              UserAttributes=[{"Name": "email", "Value": "alice@example.com"},
                                              {"Name": "email_verified", "Value": "true"}])
    cognito.admin_set_user_password(UserPoolId=pool_id, Username="alice", Password=PASSWORD, Permanent=True)
    browser = Browser(live.url)

    def by_api() -> Any:
        return cognito.forgot_password(ClientId=client["ClientId"], Username="alice")

    def by_page() -> Any:
        browser.get("/forgotPassword", **authorize_params(client["ClientId"]))
        return browser.submit(username="alice")

    by_api()
    assert len(inbox.received) == 1
    assert by_page().status_code == 200 and len(inbox.received) == 2

    finish = sqlconn.Connections._finish

    def failing_commit(self: sqlconn.Connections, commit: bool) -> None:
        if commit and self.state.group is None and self.state.depth == 1:
            finish(self, False)
            raise sqlite3.OperationalError("disk I/O error (injected)")
        finish(self, commit)

    monkeypatch.setattr(sqlconn.Connections, "_finish", failing_commit)
    with pytest.raises(cognito.exceptions.InternalErrorException):
        by_api()
    assert by_page().status_code == 500
    monkeypatch.undo()
    assert len(inbox.received) == 2  # neither failed call mailed anything
    browser.close()
