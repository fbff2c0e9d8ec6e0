"""Group commit (emulator/sqlconn.py): grouped units share one transaction and one
fsync, fail alone, and nothing is acknowledged before it is durable. Units run here
in-process against a real SQLite file; the last test kills a real server with SIGKILL
mid-load and finds every acknowledged write after the restart."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import jwt
import pytest

from emulator.sqlconn import CommitGroup, Connections

from .conftest import make_client


class Keep(Exception):
    """Stands for a Cognito error: a unit failing with it keeps its writes."""


@pytest.fixture
def conns(tmp_path: Path) -> Connections:
    c = Connections(tmp_path / "db.sqlite", "FULL")
    with c.transaction():
        c.conn().execute("CREATE TABLE t (x TEXT PRIMARY KEY)")
        c.conn().execute("CREATE TABLE parent (id TEXT PRIMARY KEY)")
        c.conn().execute("CREATE TABLE child (pid TEXT REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)")
    return c


def unit(c: Connections, *values: str, fail: type[BaseException] | None = None) -> None:
    try:
        with c.request(keep=Keep, grouped=True):
            for v in values:
                c.conn().execute("INSERT INTO t VALUES (?)", (v,))
            if fail:
                raise fail("failed on purpose")
    except (Keep, RuntimeError):
        pass


def committed(c: Connections) -> set[str]:
    """What another connection (another thread) sees: only committed rows."""
    def read() -> set[str]:
        return {r[0] for r in c.conn().execute("SELECT x FROM t").fetchall()}
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(read).result()


def commits_traced(c: Connections) -> list[str]:
    seen: list[str] = []
    c.conn().raw.set_trace_callback(lambda sql: seen.append(sql) if sql.strip().upper() == "COMMIT" else None)
    return seen


def test_grouped_units_share_one_commit(conns: Connections) -> None:
    commits = commits_traced(conns)
    unit(conns, "a")
    group = conns.open_group()
    assert group is not None and not group.settled
    unit(conns, "b", "c")
    assert conns.open_group() is group and group.members == 2
    assert committed(conns) == set()  # nothing is visible outside before the flush
    conns.flush_group()
    assert group.settled and group.error is None and conns.open_group() is None
    assert committed(conns) == {"a", "b", "c"}
    assert commits == ["COMMIT"]


def test_a_unit_that_fails_rolls_back_alone_and_a_kept_error_keeps_its_writes(conns: Connections) -> None:
    unit(conns, "a")
    unit(conns, "b", fail=RuntimeError)
    unit(conns, "c", fail=Keep)
    conns.flush_group()
    assert committed(conns) == {"a", "c"}


def test_a_unit_that_only_reads_opens_no_group(conns: Connections) -> None:
    with conns.request(keep=Keep, grouped=True):
        conns.conn().execute("SELECT count(*) FROM t").fetchone()
    assert conns.open_group() is None


def test_a_transaction_inside_a_grouped_unit_is_a_savepoint(conns: Connections) -> None:
    with conns.request(keep=Keep, grouped=True):
        with pytest.raises(RuntimeError), conns.transaction():
            conns.conn().execute("INSERT INTO t VALUES ('a')")
            raise RuntimeError("undo just this")
        conns.conn().execute("INSERT INTO t VALUES ('b')")
    assert conns.open_group() is not None
    conns.flush_group()
    assert committed(conns) == {"b"}


@pytest.mark.parametrize("other", ["request", "transaction", "exclusive"])
def test_anything_else_that_writes_commits_the_open_group_first(conns: Connections, other: str) -> None:
    unit(conns, "a")
    group = conns.open_group()
    assert group is not None
    if other == "request":
        with conns.request(keep=Keep):
            assert group.settled
            conns.conn().execute("INSERT INTO t VALUES ('b')")
    elif other == "transaction":
        with conns.transaction():
            assert group.settled
            conns.conn().execute("INSERT INTO t VALUES ('b')")
    else:
        with conns.exclusive():
            assert group.settled
        assert committed(conns) == {"a"}
        return
    assert committed(conns) == {"a", "b"} and group.error is None


def test_a_commit_that_fails_tells_every_waiter_and_leaves_the_store_usable(conns: Connections) -> None:
    told: list[CommitGroup] = []
    unit(conns, "a")
    with conns.request(keep=Keep, grouped=True):  # a deferred foreign key fails at COMMIT
        conns.conn().execute("INSERT INTO child VALUES ('no such parent')")
    group = conns.open_group()
    assert group is not None
    group.on_settled(told.append)
    conns.flush_group()
    assert told == [group] and isinstance(group.error, sqlite3.IntegrityError)
    assert committed(conns) == set()  # the whole group was rolled back, and its callers told
    late: list[CommitGroup] = []
    group.on_settled(late.append)  # a waiter that comes after the flush hears at once
    assert late == [group]
    unit(conns, "b")
    conns.flush_group()
    assert committed(conns) == {"b"}

    def write_elsewhere() -> None:  # the writer lock was released
        with conns.transaction():
            conns.conn().execute("INSERT INTO t VALUES ('c')")
    with ThreadPoolExecutor(1) as pool:
        pool.submit(write_elsewhere).result(timeout=10)
    assert committed(conns) == {"b", "c"}


def test_writes_acknowledged_before_a_sigkill_survive_it(tmp_path: Path) -> None:
    """16 clients create users against the real server; it is killed with SIGKILL while
    they are still going. After a restart on the same files, every user whose creation
    was answered with 200 is there."""
    args = [sys.executable, "-m", "emulator", "--port", "0", "--data-dir", str(tmp_path / "d"),
            "--keys-dir", str(tmp_path / "k")]

    def start() -> tuple[subprocess.Popen[bytes], str]:
        # The log goes to a file: a pipe nobody drains would stall the server.
        log = tmp_path / f"server-{uuid.uuid4().hex}.log"
        with log.open("wb") as sink:
            proc = subprocess.Popen(args, stderr=sink)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            match = re.search(r"listening on (http://127\.0\.0\.1:\d+) ", log.read_text())
            if match:
                return proc, match.group(1)
            assert proc.poll() is None, log.read_text()
            time.sleep(0.02)
        proc.kill()
        raise AssertionError(f"the server did not say where it listens: {log.read_text()}")

    proc, url = start()
    try:
        pool_id = make_client(url).create_user_pool(PoolName="durable")["UserPool"]["Id"]
        acknowledged: list[str] = []
        lock = threading.Lock()
        enough = threading.Event()

        def client(n: int) -> None:
            with httpx.Client(base_url=url, timeout=10) as http:
                for i in range(40):
                    name = f"u{n}-{i}"
                    try:
                        resp = http.post("/", json={"UserPoolId": pool_id, "Username": name,
                                                    "MessageAction": "SUPPRESS"}, headers={
                            "X-Amz-Target": "AWSCognitoIdentityProviderService.AdminCreateUser",
                            "Content-Type": "application/x-amz-json-1.1"})
                    except httpx.HTTPError:
                        return  # the server is gone: this one was never answered
                    if resp.status_code == 200:
                        with lock:
                            acknowledged.append(name)
                            if len(acknowledged) >= 150:
                                enough.set()

        with ThreadPoolExecutor(16) as workers:
            for n in range(16):
                workers.submit(client, n)
            assert enough.wait(timeout=60)
            os.kill(proc.pid, signal.SIGKILL)  # mid-load: calls are in flight
            proc.wait(timeout=30)
        with lock:
            answered = set(acknowledged)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
    proc, url = start()
    try:
        cognito, found, token = make_client(url), set(), None
        while True:
            page = cognito.list_users(UserPoolId=pool_id, **({"PaginationToken": token} if token else {}))
            found |= {u["Username"] for u in page["Users"]}
            token = page.get("PaginationToken")
            if not token:
                break
        assert answered <= found and len(answered) >= 150
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_reading_outside_a_grouped_unit_commits_the_open_group_first(conns: Connections) -> None:
    unit(conns, "a")
    group = conns.open_group()
    assert group is not None
    rows = conns.conn().execute("SELECT x FROM t").fetchall()  # a control or well-known endpoint
    assert rows == [("a",)] and group.settled and committed(conns) == {"a"}


def test_a_failed_commit_answers_every_call_in_the_group_with_an_error(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The group's COMMIT fails (as a full disk or an I/O error would): the call whose
    writes it held answers InternalErrorException, not 200, and nothing of it remains;
    once the disk is back, the same calls succeed. In-process: a failing disk cannot be
    arranged for a real server."""
    import asyncio
    import json

    from emulator import sqlconn
    from emulator.app import create_app
    from emulator.settings import Settings

    failing = {"on": False}
    finish = sqlconn.Connections._finish

    def flaky_finish(self: Connections, commit: bool) -> None:
        if commit and failing["on"] and self.state.group is None and self.state.depth == 1:
            finish(self, False)
            raise sqlite3.OperationalError("disk I/O error (injected)")
        finish(self, commit)

    monkeypatch.setattr(sqlconn.Connections, "_finish", flaky_finish)
    app = create_app(Settings(data_dir=tmp_path / "d", keys_dir=tmp_path / "k"))
    store = app.state.services.store

    async def scenario() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            async def call(action: str, body: dict[str, object]) -> tuple[int, dict[str, object]]:
                resp = await http.post("/", content=json.dumps(body), headers={
                    "X-Amz-Target": f"AWSCognitoIdentityProviderService.{action}",
                    "Content-Type": "application/x-amz-json-1.1"})
                return resp.status_code, resp.json()

            pool = (await call("CreateUserPool", {"PoolName": "p"}))[1]["UserPool"]["Id"]  # type: ignore[index]
            client = (await call("CreateUserPoolClient", {
                "UserPoolId": pool, "ClientName": "c", "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH",
                                                                               "ALLOW_REFRESH_TOKEN_AUTH"]}))
            client_id = client[1]["UserPoolClient"]["ClientId"]  # type: ignore[index]
            await call("AdminCreateUser", {"UserPoolId": pool, "Username": "u", "MessageAction": "SUPPRESS"})
            await call("AdminSetUserPassword", {"UserPoolId": pool, "Username": "u", "Password": "Passw0rd!",
                                                "Permanent": True})
            sign_in = {"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id,
                       "AuthParameters": {"USERNAME": "u", "PASSWORD": "Passw0rd!"}}
            access = (await call("InitiateAuth", sign_in))[1]["AuthenticationResult"]["AccessToken"]  # type: ignore[index]

            failing["on"] = True
            status, body = await call("InitiateAuth", sign_in)  # a sign-in writes nothing: no commit to fail
            assert status == 200 and "RefreshToken" in body["AuthenticationResult"]  # type: ignore[operator]
            status, body = await call("GlobalSignOut", {"AccessToken": access})
            assert (status, body["__type"]) == (500, "InternalErrorException")
            status, body = await call("AdminCreateUser", {"UserPoolId": pool, "Username": "lost",
                                                          "MessageAction": "SUPPRESS"})
            assert (status, body["__type"]) == (500, "InternalErrorException")
            failing["on"] = False

            assert (await call("GetUser", {"AccessToken": access}))[0] == 200  # the sign-out did not stay
            status, body = await call("AdminGetUser", {"UserPoolId": pool, "Username": "lost"})
            assert (status, body["__type"]) == (400, "UserNotFoundException")
            assert (await call("GlobalSignOut", {"AccessToken": access}))[0] == 200
            status, body = await call("GetUser", {"AccessToken": access})
            assert (status, body["__type"]) == (400, "NotAuthorizedException")

            # A pool whose deletion fails to commit keeps its signing key (the file goes
            # only after the commit): tokens signed before still verify.
            jwks = (await http.get(f"/{pool}/.well-known/jwks.json")).json()
            key_file = tmp_path / "k" / f"{pool}.pem"
            failing["on"] = True
            status, body = await call("DeleteUserPool", {"UserPoolId": pool})
            failing["on"] = False
            assert (status, body["__type"]) == (500, "InternalErrorException")
            assert key_file.exists() and (await http.get(f"/{pool}/.well-known/jwks.json")).json() == jwks
            status, _ = await call("DeleteUserPool", {"UserPoolId": pool})
            assert status == 200 and not key_file.exists()

    try:
        asyncio.run(scenario())
    finally:
        store.close()


def test_a_sign_in_commits_nothing_with_a_pre_token_generation_trigger_or_without(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A sign-in writes nothing (no COMMIT, no fsync), whether or not a PreTokenGeneration
    function runs: the trigger's await ends a unit of work but adds no write. In-process,
    to count the store's commits."""
    import asyncio
    import json

    from emulator import sqlconn
    from emulator.app import create_app
    from emulator.settings import Settings
    from emulator.triggers.registry import Triggers

    commits = []
    finish = sqlconn.Connections._finish

    def counted(self: Connections, commit: bool) -> None:
        commits.append(commit)
        finish(self, commit)

    monkeypatch.setattr(sqlconn.Connections, "_finish", counted)
    triggers = Triggers()
    app = create_app(Settings(data_dir=tmp_path / "d", keys_dir=tmp_path / "k"), triggers=triggers)

    def add_tenant(event: dict[str, object], context: object) -> dict[str, object]:
        event["response"] = {"claimsOverrideDetails": {"claimsToAddOrOverride": {"tenant": "t1"}}}
        return event

    async def scenario() -> dict[str, int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as http:
            async def call(action: str, body: dict[str, object]) -> dict[str, object]:
                resp = await http.post("/", content=json.dumps(body), headers={
                    "X-Amz-Target": f"AWSCognitoIdentityProviderService.{action}",
                    "Content-Type": "application/x-amz-json-1.1"})
                assert resp.status_code == 200, resp.text
                return resp.json()  # type: ignore[no-any-return]

            counts = {}
            for name in ("plain", "trigger"):
                pool = (await call("CreateUserPool", {"PoolName": name}))["UserPool"]["Id"]  # type: ignore[index]
                if name == "trigger":
                    triggers.set(str(pool), "PreTokenGeneration", add_tenant)
                client = (await call("CreateUserPoolClient", {
                    "UserPoolId": pool, "ClientName": "c", "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"]}))
                client_id = client["UserPoolClient"]["ClientId"]  # type: ignore[index]
                await call("AdminCreateUser", {"UserPoolId": pool, "Username": "u", "MessageAction": "SUPPRESS"})
                await call("AdminSetUserPassword", {"UserPoolId": pool, "Username": "u", "Password": "Passw0rd!",
                                                    "Permanent": True})
                await asyncio.sleep(0)  # the last group commits
                commits.clear()
                for _ in range(3):
                    result = (await call("InitiateAuth", {
                        "AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id,
                        "AuthParameters": {"USERNAME": "u", "PASSWORD": "Passw0rd!"}}))["AuthenticationResult"]
                    id_claims = jwt.decode(result["IdToken"], options={"verify_signature": False})  # type: ignore[index]
                    assert ("tenant" in id_claims) == (name == "trigger")
                counts[name] = len(commits)
            return counts

    try:
        assert asyncio.run(scenario()) == {"plain": 0, "trigger": 0}
    finally:
        app.state.services.store.close()
