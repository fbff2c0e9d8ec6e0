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
