"""Snapshot export streams (snapshot.stream_snapshot, store.export_stream): rows come a
bounded batch at a time from one consistent read, and GET /_emulator/snapshot sends them
as they are read (chunked), the same document as before."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from emulator.records import Pool, User
from emulator.store import Store


def _user(i: int) -> User:
    return User(pool_id="us-east-1_Stream", username=f"u{i:04d}", sub=f"s{i}", status="CONFIRMED", enabled=True,
                created=0.0, modified=0.0, attributes={"email": f"u{i}@x.example"})


def test_export_reads_one_state_in_bounded_batches(tmp_path: Path) -> None:
    store = Store(tmp_path)
    try:
        store.add_pool(Pool(id="us-east-1_Stream", name="p", created=0.0, modified=0.0))
        with store.transaction():
            for i in range(1000):
                store.add_user(_user(i), f"u{i:04d}")
        stream = store.export_stream(batch=100)
        seen: list[str] = []
        for table, rows in stream:
            assert len(rows) <= 100
            if table == "users":
                seen += [r["ukey"] for r in rows]
                if len(seen) == 100:  # a write while the export is half-way: not in it
                    with store.transaction():
                        store.add_user(_user(5000), "u5000")
                        store.delete_user("us-east-1_Stream", "u0999")
        assert len(seen) == 1000 and "u5000" not in seen and "u0999" in seen
    finally:
        store.close()


def test_get_snapshot_is_sent_as_it_is_read(server: Any, cognito: Any, pool_id: str) -> None:
    cognito.admin_create_user(UserPoolId=pool_id, Username="streamed", MessageAction="SUPPRESS")
    with httpx.stream("GET", f"{server.url}/_emulator/snapshot") as reply:
        assert reply.status_code == 200 and reply.headers["content-type"] == "application/json"
        assert "content-length" not in reply.headers  # chunked: never built whole
        body = b"".join(reply.iter_bytes())
    snapshot = json.loads(body)
    assert snapshot["format"] and isinstance(snapshot["schemaVersion"], int)
    assert "streamed" in {r["username"] for r in snapshot["tables"]["users"]}
    assert set(snapshot) == {"format", "schemaVersion", "tables", "keys"}


def _events(text: str, piece: int) -> list[Any]:
    from emulator.snapshot_stream import Reader
    seen: list[Any] = []
    reader = Reader(lambda k, v: seen.append(("member", k, v)), lambda t: seen.append(("table", t)),
                    lambda t, r: seen.append(("row", t, r)))
    for i in range(0, len(text), piece):
        reader.feed(text[i:i + piece])
    reader.feed("", final=True)
    return seen


def test_the_reader_gives_the_same_rows_however_the_text_is_cut() -> None:
    doc = {"format": "f", "schemaVersion": 12345, "tables": {"a": [], "b": [{"x": "1,]}\"", "n": 1.5}, {"y": None}]},
           "keys": {"k": "v"}}
    text = json.dumps(doc, indent=1)
    whole = _events(text, len(text))
    assert whole == [("member", "format", "f"), ("member", "schemaVersion", 12345), ("table", "a"), ("table", "b"),
                     ("row", "b", {"x": "1,]}\"", "n": 1.5}), ("row", "b", {"y": None}), ("member", "keys", {"k": "v"})]
    for piece in (1, 2, 3, 7):
        assert _events(text, piece) == whole, piece


def test_a_snapshot_sent_in_pieces_is_imported(own_server: Any) -> None:
    from .conftest import make_client
    cognito = make_client(own_server.url)
    pool_id = cognito.create_user_pool(PoolName="pieces")["UserPool"]["Id"]
    for i in range(50):
        cognito.admin_create_user(UserPoolId=pool_id, Username=f"p{i:02d}", MessageAction="SUPPRESS")
    body = httpx.get(f"{own_server.url}/_emulator/snapshot").content
    assert httpx.post(f"{own_server.url}/_emulator/reset").status_code == 200

    def pieces() -> Any:  # chunked, cut anywhere
        for i in range(0, len(body), 333):
            yield body[i:i + 333]
    reply = httpx.post(f"{own_server.url}/_emulator/snapshot", content=pieces(),
                       headers={"Content-Type": "application/json"})
    assert reply.status_code == 200, reply.text
    assert len(cognito.list_users(UserPoolId=pool_id)["Users"]) == 50
    truncated = httpx.post(f"{own_server.url}/_emulator/snapshot", content=body[:-5],
                           headers={"Content-Type": "application/json"})
    assert truncated.status_code == 400 and truncated.json()["message"].startswith("Snapshot refused")
    assert len(cognito.list_users(UserPoolId=pool_id)["Users"]) == 50
