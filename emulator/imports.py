"""User import jobs behind the six actions (actions/import_jobs.py): the CSV header a pool
takes, the upload endpoint a job's PreSignedUrl names, and the background import.

The upload is split at record boundaries into chunks of about CHUNK_BYTES as it streams
in, so neither the upload nor the import ever holds the whole file. StartUserImportJob
starts a task that imports one chunk per unit of work through the call runner (a few
hundred rows: the loop serves other calls between batches), and StopUserImportJob is
honoured between batches. Rows are checked as Cognito checks them; a failed row is
counted and reported (the job's log, and GET on the control endpoint), never fatal.
Imported users are RESET_REQUIRED, without a password, as Cognito leaves them. Where the
pool signs users in by username only, a batch asks for its taken names in one query and
adds its users in one statement; the subs it draws increase along the file
(ids.spread_subs), so the sub index grows at one end."""

from __future__ import annotations

import asyncio
import codecs
import csv
import io
import logging
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from starlette.requests import Request
from starlette.responses import Response

from . import mfa, runner
from .accounts import create_user
from .api import Context, Services
from .attributes import STANDARD, VERIFIED_FLAGS, Schema, schema_checks
from .errors import CognitoError
from .ids import spread_subs
from .lookup import user_key
from .records import ImportJob, Pool, User
from .sqlconn import Conflict
from .urls import base_url

log = logging.getLogger("emulator.imports")

MAX_UPLOAD_BYTES = 100 * 1024 * 1024  # the largest user import file taken (README)
CHUNK_BYTES = 64 * 1024  # several hundred rows: one unit of work, a few tens of ms
MAX_RECORD_BYTES = 1024 * 1024  # one CSV record (a user), quoted newlines and all
CHUNKS_PER_WRITE = 64  # chunks written in one unit of work while the upload streams in
KEPT_FAILURES = 100
USERNAME, MFA = "cognito:username", "cognito:mfa_enabled"
_CONTENT_TYPES = {"", "text/csv", "text/plain", "application/octet-stream", "binary/octet-stream",
                  "application/x-www-form-urlencoded"}  # the last: what curl --data-binary sends
RUNNING = ("Pending", "InProgress", "Stopping")
_FLAGS = tuple((flag, flag.removesuffix("_verified")) for flag in sorted(VERIFIED_FLAGS))


def csv_header(pool: Pool) -> list[str]:
    """GetCSVHeader: the pool's attributes (schema order, without sub), then Cognito's two columns."""
    names = [e["Name"] for e in pool.config.get("SchemaAttributes", []) if e["Name"] != "sub"]
    return [n for n in names if n in STANDARD or n.startswith("custom:")] + [MFA, USERNAME]


def upload_url(base: str, job: ImportJob) -> str:
    return f"{base}/_upload/user-import/{job.job_id}?signature={job.upload_token}"


# -- the upload -----------------------------------------------------------------------------


def _s3_error(status: int, code: str, message: str) -> Response:
    """An S3-shaped error, as a client uploading to a pre-signed URL expects."""
    body = f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{escape(message)}</Message></Error>'
    return Response(body, status, media_type="application/xml")


def _cut(data: bytes, size: int) -> int:
    """Where to end the next chunk of `data`: just after its last record-ending newline
    within `size` bytes, else the first one after (0: none yet). Chunks start outside
    quotes, so a newline ends a record when an even count of quotes precedes it (an
    escaped quote is doubled)."""
    end = data.rfind(b"\n", 0, size)
    while end >= 0:
        if data.count(b'"', 0, end) % 2 == 0:
            return end + 1
        end = data.rfind(b"\n", 0, end)
    end = data.find(b"\n", size)
    while end >= 0:
        if data.count(b'"', 0, end) % 2 == 0:
            return end + 1
        end = data.find(b"\n", end + 1)
    return 0


def _open_upload(ctx: Context, arg: tuple[str, str]) -> str | None:
    """Check the URL's job and signature; drop an earlier upload. A refusal's reason, or None."""
    job_id, token = arg
    job = ctx.store.find_import_job(job_id)
    if job is None or token != job.upload_token:
        return "AccessDenied"
    if job.status != "Created":
        return "JobStarted"
    ctx.store.delete_import_chunks(job_id)
    job.header, job.records = None, 0
    ctx.store.put_import_job(job)
    return None


def _write_chunks(ctx: Context, arg: tuple[str, int, list[str]]) -> None:
    job_id, first, texts = arg
    job = ctx.store.find_import_job(job_id)
    if job is None or job.status != "Created":
        return
    for seq, text in enumerate(texts, start=first):
        if seq == 0:  # the header: kept on the job, for every chunk
            job.header, text = _split_header(text)
        if text:
            ctx.store.put_import_chunk(job_id, seq, text)
            job.records += text.count("\n") + (not text.endswith("\n"))
    ctx.store.put_import_job(job)


def _split_header(text: str) -> tuple[list[str], str]:
    """The first record's column names, and the text after it."""
    buffer = io.StringIO(text)
    header = next(csv.reader(iter(buffer.readline, "")), [])
    return [h.strip() for h in header], text[buffer.tell():]


def _drop_upload(ctx: Context, job_id: str) -> None:
    job = ctx.store.find_import_job(job_id)
    if job is not None and job.status == "Created":
        ctx.store.delete_import_chunks(job_id)
        job.header, job.records = None, 0
        ctx.store.put_import_job(job)


async def upload(request: Request) -> Response:
    """PUT of the CSV file to a job's PreSignedUrl (as `curl -T users.csv <url>` does)."""
    services: Services = request.app.state.services
    job_id, token = request.path_params["job_id"], request.query_params.get("signature", "")
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in _CONTENT_TYPES:
        return _s3_error(400, "InvalidArgument", f"A user import file is CSV text, not {kind}.")
    length = request.headers.get("content-length")
    if length is not None and (not length.isdigit() or int(length) > MAX_UPLOAD_BYTES):
        return _s3_error(400, "EntityTooLarge", f"A user import file may be at most {MAX_UPLOAD_BYTES} bytes.")
    ctx = _context(services, request)
    refused = await runner.run(ctx, _open_upload, (job_id, token))
    if refused is not None:
        message = ("The job has started: its file can no longer change." if refused == "JobStarted"
                   else "The signature or the job in this URL is not valid.")
        return _s3_error(403, "AccessDenied", message)
    problem = await _receive(services, request, job_id)
    if problem is not None:
        await runner.run(_context(services, request), _drop_upload, job_id)
        return _s3_error(400, *problem)
    return Response(b"", 200)


async def _receive(services: Services, request: Request, job_id: str) -> tuple[str, str] | None:
    """Stream the body into chunks; a refusal's (code, message), or None."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    pending, size, seq, texts = b"", 0, 0, []
    try:
        async for piece in request.stream():
            size += len(piece)
            if size > MAX_UPLOAD_BYTES:
                return "EntityTooLarge", f"A user import file may be at most {MAX_UPLOAD_BYTES} bytes."
            pending += piece
            while len(pending) >= CHUNK_BYTES and (cut := _cut(pending, CHUNK_BYTES)):
                texts.append(decoder.decode(pending[:cut]))
                pending = pending[cut:]
            if len(pending) > MAX_RECORD_BYTES:
                return "InvalidArgument", f"A record longer than {MAX_RECORD_BYTES} bytes."
            if len(texts) >= CHUNKS_PER_WRITE:
                await runner.run(_context(services, request), _write_chunks, (job_id, seq, texts))
                seq, texts = seq + len(texts), []
        texts.append(decoder.decode(pending, final=True))
    except UnicodeDecodeError:
        return "InvalidArgument", "A user import file is UTF-8 CSV text."
    if size == 0:
        return "InvalidArgument", "The file is empty."
    await runner.run(_context(services, request), _write_chunks, (job_id, seq, texts))
    return None


def _context(services: Services, request: Request | None = None) -> Context:
    settings = services.settings
    base = base_url(settings, request.url.scheme, request.headers.get("host", "")) if request else ""
    return Context(services=services, region=settings.region, base_url=base, action="UserImport")


# -- the import ------------------------------------------------------------------------------


def start(services: Services, job_id: str) -> None:
    """Run the job's batches in the background (after StartUserImportJob commits, or at start-up)."""
    task = asyncio.get_running_loop().create_task(_run(services, job_id))
    services.tasks.add(task)
    task.add_done_callback(services.tasks.discard)


def resume(services: Services) -> None:
    """At start-up: jobs a stopped process left running go on."""
    for job in services.store.unfinished_import_jobs():
        start(services, job.job_id)


async def _run(services: Services, job_id: str) -> None:
    try:
        while await runner.run(_context(services), _batch, job_id):
            await asyncio.sleep(0)
    except Exception:  # a bug of ours: the job fails, the emulator goes on
        log.exception("user import job %s failed", job_id)
        await runner.run(_context(services), _finish_failed, job_id)


def _finish_failed(ctx: Context, job_id: str) -> None:
    job = ctx.store.find_import_job(job_id)
    if job is not None and job.status in RUNNING:
        _finish(ctx, job, "Failed", "The import stopped on an internal error of the emulator.")


def _finish(ctx: Context, job: ImportJob, status: str, message: str) -> None:
    job.status, job.message, job.completed = status, message, ctx.now()
    ctx.store.delete_import_chunks(job.job_id)
    ctx.store.put_import_job(job)
    log.info("user import job %s %s: %d imported, %d failed, %d skipped", job.job_id, status,
             job.imported, job.failed, job.skipped)


def _batch(ctx: Context, job_id: str) -> bool:
    """One unit of work: the next step of the job. True while there is more to do."""
    job = ctx.store.find_import_job(job_id)
    pool = ctx.store.get_pool(job.pool_id) if job is not None else None
    if job is None or pool is None or job.status not in RUNNING:
        return False
    if job.status == "Stopping":
        _finish(ctx, job, "Stopped", "The import job was stopped.")
        return False
    if job.status == "Pending":
        problem = header_problem(pool, job.header)
        if problem:
            _finish(ctx, job, "Failed", problem)
            return False
        job.status = "InProgress"
        ctx.store.put_import_job(job)
        return True
    chunk = ctx.store.next_import_chunk(job_id)
    if chunk is None:
        _finish(ctx, job, "Succeeded", "Import Job Completed Successfully.")
        return False
    seq, text = chunk
    rows = [row for row in csv.reader(io.StringIO(text)) if row and any(v.strip() for v in row)]
    first = job.imported + job.failed + job.skipped
    subs: list[str | None] = [None] * len(rows)  # deterministic ids: derived from the names
    if not ctx.ids.deterministic:
        subs = list(spread_subs(job.job_id, first, len(rows), job.records))
    rules = _Rules(auto_verified(pool), schema_checks(pool))
    if not (pool.config.get("UsernameAttributes") or pool.config.get("AliasAttributes")):
        _import_together(ctx, pool, job, rows, subs, rules)
    else:  # names, emails, phone numbers, aliases: each row checked against the rows before it
        for row, sub in zip(rows, subs, strict=True):
            _import_row(ctx, pool, job, row, sub, rules)
    ctx.store.delete_import_chunks(job_id, seq)
    ctx.store.put_import_job(job)
    return True


def header_problem(pool: Pool, header: list[str] | None) -> str | None:
    """Why the uploaded file's header cannot be imported into `pool`, if it cannot: Cognito
    wants every column GetCSVHeader gives (in any order, values may be empty), no other."""
    if header is None:
        return "No file was uploaded to the job's PreSignedUrl."
    wanted = csv_header(pool)
    unknown = [h for h in header if h not in wanted]
    if unknown:
        return f"The CSV header has columns the user pool does not: {', '.join(unknown)}."
    if len(set(header)) != len(header):
        return "The CSV header names a column twice."
    missing = [c for c in wanted if c not in header]
    if missing:
        return f"The CSV header lacks columns of the user pool: {', '.join(missing)}."
    return None


def auto_verified(pool: Pool) -> list[str]:
    """The pool's auto-verified attributes (email, phone_number): an import needs one."""
    return [a for a in pool.config.get("AutoVerifiedAttributes") or [] if a in ("email", "phone_number")]


@dataclass
class _Rules:
    """What a batch reads once for all its rows; in a pool that signs users in by username
    only, the names taken (in the pool, or by the batch's rows before) and the users to add."""

    auto: list[str]
    schema: Schema
    taken: set[str] | None = None
    adding: list[tuple[User, str]] = field(default_factory=list)

    def add(self, user: User, ukey: str) -> None:
        assert self.taken is not None
        self.taken.add(ukey)
        self.adding.append((user, ukey))


def _import_together(ctx: Context, pool: Pool, job: ImportJob, rows: list[list[str]], subs: list[str | None],
                     rules: _Rules) -> None:
    """The batch's rows checked one by one, as Cognito does, against the names one query
    found taken, and the users added with one statement."""
    at = (job.header or []).index(USERNAME)
    rules.taken = ctx.store.taken_user_keys(pool.id, [user_key(pool, row[at]) for row in rows if len(row) > at])
    numbers = {}  # the record number of each user to add
    for row, sub in zip(rows, subs, strict=True):
        numbers[len(rules.adding)] = job.imported + job.failed + job.skipped + 2
        _import_row(ctx, pool, job, row, sub, rules)
    try:
        ctx.store.add_users(rules.adding)
    except Conflict:  # a name (or sub) another process took since the query: one by one
        for i, (user, ukey) in enumerate(rules.adding):
            try:
                ctx.store.add_user(user, ukey)
            except Conflict:
                job.imported -= 1
                _failed(job, numbers[i], user.username, "UsernameExistsException: User already exists")


def _import_row(ctx: Context, pool: Pool, job: ImportJob, row: list[str], sub: str | None, rules: _Rules) -> None:
    header = job.header or []
    number = job.imported + job.failed + job.skipped + 2  # the header is record 1
    values = dict(zip(header, row, strict=False))
    reason = row_problem(header, row, values, rules.auto)
    if reason is None:
        attributes = {k: v for k, v in values.items() if v and k not in (USERNAME, MFA)}
        taken = rules.taken
        try:
            user = create_user(
                ctx, pool, values[USERNAME], attributes, password=None, status="RESET_REQUIRED", sub=sub,
                schema_read=rules.schema, exists=None if taken is None else (lambda n: user_key(pool, n) in taken),
                add=None if taken is None else rules.add)
        except CognitoError as err:
            reason = f"{err.code}: {err.message}"
        else:
            if values[MFA].lower() == "true":
                mfa.set_preference(user, mfa.SMS, True, None)
                if taken is None:  # else added with it at the end of the batch
                    ctx.store.put_user(user, user_key(pool, user.username))
            job.imported += 1
            return
    _failed(job, number, values.get(USERNAME, ""), reason)


def _failed(job: ImportJob, number: int, username: str, reason: str) -> None:
    job.failed += 1
    log.info("user import job %s: record %d (%s) failed: %s", job.job_id, number, username, reason)
    if len(job.failures) < KEPT_FAILURES:
        job.failures.append({"row": number, "username": username, "reason": reason})


def row_problem(header: list[str], row: list[str], values: dict[str, str], auto: list[str]) -> str | None:
    """The checks Cognito makes of a row before it creates the user (its guide: a username,
    cognito:mfa_enabled, one of the pool's auto-verified attributes verified, and the
    address or number a verified flag vouches for)."""
    if len(row) != len(header):
        return f"The record has {len(row)} values; the header has {len(header)} columns."
    if not values[USERNAME]:
        return "cognito:username is empty."
    mfa_enabled = values[MFA].lower()
    if mfa_enabled not in ("true", "false"):
        return "cognito:mfa_enabled must be true or false."
    if mfa_enabled == "true" and not values.get("phone_number"):
        return "A user with cognito:mfa_enabled true needs a phone_number."
    for flag, contact in _FLAGS:
        vouched = values.get(flag, "").lower()
        if vouched not in ("", "true", "false"):
            return f"{flag} must be true or false."
        if vouched == "true" and not values.get(contact):
            return f"{flag} is true but {contact} is empty."
    if auto and not any(values.get(f"{a}_verified", "").lower() == "true" for a in auto):
        return f"None of the pool's auto-verified attributes is verified ({', '.join(f'{a}_verified' for a in auto)})."
    return None


def failures(services: Services, job_id: str) -> dict[str, Any] | None:
    job = services.store.find_import_job(job_id)
    return None if job is None else {"jobId": job.job_id, "failedUsers": job.failed, "failures": job.failures}
