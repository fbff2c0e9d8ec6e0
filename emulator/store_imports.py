"""The store's tables for user import jobs: the jobs, and the uploaded CSV held as
chunks of whole records until a batch imports them. A mixin of Store (store.py), which
holds the schema (migrations m8_import_jobs, m13_import_records) and the connection."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from .records import ImportJob
from .sqlconn import Conn

_JOB_COLUMNS = ("job_id", "pool_id", "name", "created", "started", "completed", "status", "role_arn",
                "imported", "skipped", "failed", "message", "upload_token", "header", "failures", "records")


def m8_import_jobs(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE import_jobs (
            job_id TEXT PRIMARY KEY, pool_id TEXT NOT NULL, name TEXT NOT NULL, created REAL NOT NULL,
            started REAL, completed REAL, status TEXT NOT NULL, role_arn TEXT NOT NULL,
            imported INTEGER NOT NULL DEFAULT 0, skipped INTEGER NOT NULL DEFAULT 0,
            failed INTEGER NOT NULL DEFAULT 0, message TEXT, upload_token TEXT NOT NULL,
            header TEXT, failures TEXT NOT NULL DEFAULT '[]')"""
    )
    db.execute("CREATE INDEX import_jobs_pool ON import_jobs(pool_id, job_id)")
    # The uploaded file, split at record boundaries; a chunk goes once imported.
    db.execute(
        """CREATE TABLE import_chunks (
            job_id TEXT NOT NULL, seq INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (job_id, seq))"""
    )


def m13_import_records(db: sqlite3.Connection) -> None:
    """How many records (newlines) a job's upload holds: the import spreads its users'
    subs over as many strata, in order (ids.spread_subs)."""
    db.execute("ALTER TABLE import_jobs ADD COLUMN records INTEGER NOT NULL DEFAULT 0")


class ImportTables:
    @property
    def db(self) -> Conn:  # the Store's connection
        raise NotImplementedError

    def add_import_job(self, job: ImportJob) -> None:
        self.db.insert(f"INSERT INTO import_jobs ({', '.join(_JOB_COLUMNS)}) VALUES"
                       f" ({', '.join('?' for _ in _JOB_COLUMNS)})", _job_values(job))

    def put_import_job(self, job: ImportJob) -> None:
        sets = ", ".join(f"{c} = ?" for c in _JOB_COLUMNS[1:])
        self.db.execute(f"UPDATE import_jobs SET {sets} WHERE job_id = ?", (*_job_values(job)[1:], job.job_id))

    def get_import_job(self, pool_id: str, job_id: str) -> ImportJob | None:
        cur = self.db.execute(f"SELECT {', '.join(_JOB_COLUMNS)} FROM import_jobs WHERE pool_id = ? AND job_id = ?",
                              (pool_id, job_id))
        row = cur.fetchone()
        return _job(row) if row else None

    def find_import_job(self, job_id: str) -> ImportJob | None:
        row = self.db.execute(f"SELECT {', '.join(_JOB_COLUMNS)} FROM import_jobs WHERE job_id = ?",
                              (job_id,)).fetchone()
        return _job(row) if row else None

    def list_import_jobs(self, pool_id: str, after: str, limit: int) -> list[ImportJob]:
        rows = self.db.execute(f"SELECT {', '.join(_JOB_COLUMNS)} FROM import_jobs WHERE pool_id = ? AND job_id > ?"
                               " ORDER BY job_id LIMIT ?", (pool_id, after, limit)).fetchall()
        return [_job(r) for r in rows]

    def unfinished_import_jobs(self) -> list[ImportJob]:
        rows = self.db.execute(f"SELECT {', '.join(_JOB_COLUMNS)} FROM import_jobs"
                               " WHERE status IN ('Pending', 'InProgress', 'Stopping')").fetchall()
        return [_job(r) for r in rows]

    def put_import_chunk(self, job_id: str, seq: int, data: str) -> None:
        self.db.execute("INSERT INTO import_chunks (job_id, seq, data) VALUES (?, ?, ?)", (job_id, seq, data))

    def next_import_chunk(self, job_id: str) -> tuple[int, str] | None:
        row = self.db.execute("SELECT seq, data FROM import_chunks WHERE job_id = ? ORDER BY seq LIMIT 1",
                              (job_id,)).fetchone()
        return (int(row[0]), str(row[1])) if row else None

    def delete_import_chunks(self, job_id: str, seq: int | None = None) -> None:
        """One chunk, or (seq None) the job's whole upload."""
        if seq is None:
            self.db.execute("DELETE FROM import_chunks WHERE job_id = ?", (job_id,))
        else:
            self.db.execute("DELETE FROM import_chunks WHERE job_id = ? AND seq = ?", (job_id, seq))


def _job_values(job: ImportJob) -> tuple[Any, ...]:
    return (job.job_id, job.pool_id, job.name, job.created, job.started, job.completed, job.status, job.role_arn,
            job.imported, job.skipped, job.failed, job.message, job.upload_token,
            None if job.header is None else json.dumps(job.header), json.dumps(job.failures), job.records)


def _job(row: tuple[Any, ...]) -> ImportJob:
    values = dict(zip(_JOB_COLUMNS, row, strict=True))
    values["header"] = None if values["header"] is None else json.loads(values["header"])
    values["failures"] = json.loads(values["failures"])
    return ImportJob(**values)
