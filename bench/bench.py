"""Load benchmark for the Cognito emulator, and (when installed) the same load against moto.

    python bench/bench.py                      # full run: 10,000 users, concurrency 16
    python bench/bench.py --quick              # a smaller run, well under a minute
    python bench/bench.py --json out.json --no-moto

Each server is started as a subprocess on a free 127.0.0.1 port with fresh temp
directories and stopped by its PID at the end (also on error or Ctrl-C). Every
operation is bounded by a request count and a duration, whichever comes first.
It prints figures; it asserts nothing about timings.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import itertools
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
TARGET = "AWSCognitoIdentityProviderService."
PASSWORD = "Passw0rd!"
# boto3 signs admin calls; neither server checks the signature, but both read the scope.
AUTH = ("AWS4-HMAC-SHA256 Credential=bench/20240101/us-east-1/cognito-idp/aws4_request, "
        "SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=" + "0" * 64)


class ApiError(Exception):
    pass


TIMEOUT = 60.0
Call = Callable[[int], Awaitable[None]]
# What one failed request may raise; anything else is a bug in the bench and stops it.
REQUEST_ERRORS = (ApiError, httpx.HTTPError, OSError, EOFError, asyncio.TimeoutError, KeyError, ValueError)


# -- servers -------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    name: str
    proc: subprocess.Popen[bytes]
    url: str
    log: Path
    cold_start_s: float = 0.0

    @property
    def pid(self) -> int:
        return self.proc.pid

    def cpu_s(self) -> float:
        """User + system CPU seconds the server has used so far (all its threads)."""
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return 0.0

    def rss_mb(self) -> float | None:
        try:
            for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        except OSError:
            pass
        return None

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


def start_server(name: str, cmd: list[str], health_path: str, workdir: Path, timeout: float = 30) -> Server:
    """Spawn `cmd` (with {port} filled in) and poll health_path; cold start = spawn to first 200."""
    port = free_port()
    log = workdir / f"{name}.log"
    with log.open("wb") as fh:
        t0 = time.perf_counter()
        proc = subprocess.Popen([c.format(port=port) for c in cmd], stdout=fh, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, cwd=workdir, start_new_session=True)
    server = Server(name, proc, f"http://127.0.0.1:{port}", log)
    deadline = t0 + timeout
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"{name} exited with {proc.returncode}:\n{log.read_text()[-2000:]}")
            try:
                # A fresh connection each poll, so nothing is reused from a previous server.
                if httpx.get(server.url + health_path, timeout=1).status_code == 200:
                    server.cold_start_s = time.perf_counter() - t0
                    return server
            except httpx.TransportError:
                pass
            if time.perf_counter() > deadline:
                raise RuntimeError(f"{name} did not answer {health_path} within {timeout}s")
            time.sleep(0.005)
    except BaseException:
        server.stop()
        raise


# The PreTokenGeneration handler of the trigger phase, from --lambda-dir.
PRE_TOKEN_HANDLER = """def handler(event, context):
    event["response"]["claimsOverrideDetails"] = {"claimsToAddOrOverride": {"tenant": "bench"}}
    return event
"""
PRE_TOKEN_ARN = "arn:aws:lambda:us-east-1:123456789012:function:bench-pre-token"
TRIGGER_SIGN_IN = "Sign-in + PreTokenGeneration"


def emulator_cmd(workdir: Path, run: int, args: argparse.Namespace) -> list[str]:
    d = workdir / f"emulator-{run}"
    (d / "handlers").mkdir(parents=True, exist_ok=True)
    (d / "handlers" / "bench-pre-token.py").write_text(PRE_TOKEN_HANDLER)
    cmd = [sys.executable, "-m", "emulator", "--host", "127.0.0.1", "--port", "{port}",
           "--data-dir", str(d / "data"), "--keys-dir", str(d / "keys"),
           "--bcrypt-rounds", "4", "--log-level", "warning", "--lambda-dir", str(d / "handlers")]
    if args.sqlite_synchronous:
        cmd += ["--sqlite-synchronous", args.sqlite_synchronous]
    return cmd


def moto_cmd(python: str) -> list[str]:
    return [python, "-m", "moto.server", "-H", "127.0.0.1", "-p", "{port}"]


MOTO_PROBE = ("import importlib.util as u, sys; "
              "print(' '.join(m for m in ('moto', 'flask', 'flask_cors', 'werkzeug') if u.find_spec(m) is None))")


def moto_missing(python: str) -> str | None:
    """Why moto's server cannot run on `python` here, or None."""
    try:
        missing = subprocess.run([python, "-c", MOTO_PROBE], capture_output=True, text=True,
                                 timeout=30, check=True).stdout.split()
    except (OSError, subprocess.SubprocessError) as exc:
        return f"cannot run {python}: {exc}"
    if "moto" in missing:
        return f"moto is not installed for {python} (--moto-python names another Python)"
    if missing:
        return f"moto's server needs {', '.join(missing)}: pip install 'moto[server]'"
    return None


def moto_version(python: str) -> str:
    try:
        return subprocess.run([python, "-c", "import moto; print(moto.__version__)"], capture_output=True,
                              text=True, timeout=30).stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


# -- client --------------------------------------------------------------------------


class HttpxTransport:
    """httpx.AsyncClient: the default. Its own CPU cost (~1-1.5 ms a request) can cap the cheap
    operations on a small machine; --client raw measures without it."""

    def __init__(self, base: str, size: int) -> None:
        limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
        self.http = httpx.AsyncClient(base_url=base, limits=limits, timeout=TIMEOUT)

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        r = await self.http.request(method, path, headers=headers, content=body or None)
        return r.status_code, r.content

    async def aclose(self) -> None:
        await self.http.aclose()


class RawTransport:
    """A minimal HTTP/1.1 client on asyncio streams: keep-alive pool, Content-Length or
    chunked bodies, reconnects when the server closes. Enough for these two servers."""

    def __init__(self, base: str, size: int) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.host, self.port = host, int(port)
        self.idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self.slots = asyncio.Semaphore(size)

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}", f"Content-Length: {len(body)}"]
        data = ("\r\n".join(head + [f"{k}: {v}" for k, v in headers.items()]) + "\r\n\r\n").encode() + body
        async with self.slots:
            for attempt in range(2):
                reused = bool(self.idle)
                reader, writer = self.idle.pop() if reused else await asyncio.open_connection(self.host, self.port)
                try:
                    writer.write(data)
                    status, keep, payload = await asyncio.wait_for(self._response(reader), TIMEOUT)
                except (OSError, asyncio.IncompleteReadError):
                    writer.close()
                    if reused and attempt == 0:
                        continue  # the server closed an idle connection: retry on a fresh one
                    raise
                if keep:
                    self.idle.append((reader, writer))
                else:
                    writer.close()
                return status, payload
        raise AssertionError("unreachable")

    @staticmethod
    async def _response(reader: asyncio.StreamReader) -> tuple[int, bool, bytes]:
        lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        fields = {k.strip().lower(): v.strip().lower() for k, _, v in (ln.partition(":") for ln in lines[1:] if ln)}
        keep = fields.get("connection") != "close" and not lines[0].startswith("HTTP/1.0")
        if fields.get("transfer-encoding") == "chunked":
            chunks = []
            while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                chunks.append(await reader.readexactly(size + 2))
            await reader.readuntil(b"\r\n")
            return status, keep, b"".join(c[:-2] for c in chunks)
        if "content-length" in fields:
            return status, keep, await reader.readexactly(int(fields["content-length"]))
        return status, False, await reader.read()  # body ends at close

    async def aclose(self) -> None:
        for _, writer in self.idle:
            writer.close()


class Api:
    def __init__(self, transport: HttpxTransport | RawTransport) -> None:
        self.transport = transport

    async def call(self, action: str, body: dict[str, Any], signed: bool = True) -> dict[str, Any]:
        headers = {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": TARGET + action}
        if signed:
            headers["Authorization"] = AUTH
        status, payload = await self.transport.request("POST", "/", headers, json.dumps(body).encode())
        if status != 200:
            raise ApiError(f"{action} -> HTTP {status}: {payload[:300].decode(errors='replace')}")
        return json.loads(payload) if payload else {}

    async def get(self, path: str) -> dict[str, Any]:
        status, payload = await self.transport.request("GET", path, {}, b"")
        if status != 200:
            raise ApiError(f"GET {path} -> HTTP {status}: {payload[:300].decode(errors='replace')}")
        return json.loads(payload)

    async def post_empty(self, path: str) -> dict[str, Any]:
        status, payload = await self.transport.request("POST", path, {}, b"")
        if status != 200:
            raise ApiError(f"POST {path} -> HTTP {status}: {payload[:300].decode(errors='replace')}")
        return json.loads(payload)


@dataclass
class OpResult:
    ops: int = 0
    errors: int = 0
    seconds: float = 0.0
    ops_per_s: float = 0.0
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    server_cpu_ms_per_op: float = 0.0
    client_cpu_ms_per_op: float = 0.0
    first_error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def percentile(sorted_ms: list[float], q: float) -> float:
    if not sorted_ms:
        return 0.0
    return sorted_ms[min(len(sorted_ms) - 1, int(round(q * (len(sorted_ms) - 1))))]


async def run_op(server: Server, per_worker: Callable[[], Call], total: int, duration: float,
                 concurrency: int) -> OpResult:
    """Run up to `total` ops across `concurrency` workers, stopping early after `duration` s.
    per_worker() gives each worker its own call (so it can keep state, e.g. a page token)."""
    counter = itertools.count()
    latencies: list[float] = []
    res = OpResult()
    cpu0, client0 = server.cpu_s(), time.process_time()
    t0 = time.perf_counter()
    deadline = t0 + duration

    async def worker() -> None:
        call = per_worker()
        while True:
            i = next(counter)
            if i >= total or time.perf_counter() > deadline:
                return
            s = time.perf_counter()
            try:
                await call(i)
            except REQUEST_ERRORS as exc:
                res.errors += 1
                res.first_error = res.first_error or f"{type(exc).__name__}: {exc}"
                continue
            latencies.append((time.perf_counter() - s) * 1000)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    res.seconds = time.perf_counter() - t0
    latencies.sort()
    res.ops = len(latencies)
    if res.ops:
        res.server_cpu_ms_per_op = (server.cpu_s() - cpu0) * 1000 / res.ops
        res.client_cpu_ms_per_op = (time.process_time() - client0) * 1000 / res.ops
    res.ops_per_s = res.ops / res.seconds if res.seconds else 0.0
    res.p50_ms, res.p99_ms = percentile(latencies, 0.50), percentile(latencies, 0.99)
    return res


# -- the workload ----------------------------------------------------------------------


async def setup_pool(api: Api, name: str) -> tuple[str, str]:
    pool = await api.call("CreateUserPool", {
        "PoolName": name,
        "Policies": {"PasswordPolicy": {"MinimumLength": 8, "RequireUppercase": True, "RequireLowercase": True,
                                        "RequireNumbers": True, "RequireSymbols": False}},
    })
    pool_id = pool["UserPool"]["Id"]
    client = await api.call("CreateUserPoolClient", {
        "UserPoolId": pool_id, "ClientName": "bench", "GenerateSecret": False,
        "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    })
    return pool_id, client["UserPoolClient"]["ClientId"]


async def probe_password_check(api: Api, client_id: str, username: str) -> str:
    """Does the server refuse a wrong password? (A semantic check, reported as a note.)"""
    try:
        await api.call("InitiateAuth", {"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                                        "AuthParameters": {"USERNAME": username, "PASSWORD": "Wr0ngPassword"}},
                       signed=False)
    except ApiError as exc:
        return "refused" if "NotAuthorized" in str(exc) else f"error: {exc}"
    return "ACCEPTED (password not checked)"


def each(fn: Callable[[Api, int], Awaitable[None]]) -> Callable[[Api], Callable[[], Call]]:
    """An op whose workers keep no state of their own: every worker calls fn(api, i)."""
    return lambda api: lambda: functools.partial(fn, api)


async def bench_target(server: Server, args: argparse.Namespace) -> dict[str, Any]:
    """Every op at concurrency `args.concurrency` (ops/s), then by one client calling it back
    to back on one kept-alive connection, as a test suite does (latency)."""
    c, n, dur = args.concurrency, args.requests, args.duration
    out: dict[str, Any] = {"ops": {}, "sequential": {}, "notes": []}
    ops: dict[str, OpResult] = out["ops"]
    seq: dict[str, OpResult] = out["sequential"]
    transport = (RawTransport if args.client == "raw" else HttpxTransport)(server.url, c)
    one = RawTransport(server.url, 1)
    api = Api(transport)

    async def phases(name: str, make: Callable[[Api], Callable[[], Call]], total: int = n,
                     duration: float = dur) -> None:
        log(f"  {server.name}: {name}")
        ops[name] = await run_op(server, make(api), total, duration, c)
        seq[name] = await run_op(server, make(Api(one)), args.seq_requests, args.seq_duration, 1)

    try:
        seeded_pool, _ = await setup_pool(api, "bench-seeded")
        pool_id, client_id = await setup_pool(api, "bench-auth")

        # Seed: AdminCreateUser, invitation suppressed, into a pool of its own.
        seeds = itertools.count()

        async def create(api: Api, i: int) -> None:
            k = next(seeds)
            await api.call("AdminCreateUser", {
                "UserPoolId": seeded_pool, "Username": f"seed-{k:06d}", "MessageAction": "SUPPRESS",
                "UserAttributes": [{"Name": "email", "Value": f"seed-{k}@example.com"}]})
        await phases("seed (AdminCreateUser)", each(create), args.users, float("inf"))

        signed_up: list[str] = []
        names = itertools.count()

        async def sign_up(api: Api, i: int) -> None:
            name = f"user-{next(names):06d}"
            await api.call("SignUp", {"ClientId": client_id, "Username": name, "Password": PASSWORD,
                                      "UserAttributes": [{"Name": "email", "Value": f"{name}@example.com"}]},
                           signed=False)
            await api.call("AdminConfirmSignUp", {"UserPoolId": pool_id, "Username": name})
            signed_up.append(name)
        await phases("SignUp+AdminConfirmSignUp", each(sign_up))
        if not signed_up:
            raise ApiError(f"no user signed up: {ops['SignUp+AdminConfirmSignUp'].first_error}")
        out["password_check"] = await probe_password_check(api, client_id, signed_up[0])

        tokens: list[str] = []

        async def sign_in(api: Api, i: int) -> None:
            resp = await api.call("InitiateAuth", {
                "ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                "AuthParameters": {"USERNAME": signed_up[i % len(signed_up)], "PASSWORD": PASSWORD}},
                signed=False)
            access = resp["AuthenticationResult"]["AccessToken"]
            if len(tokens) < 256:
                tokens.append(access)
        await phases("InitiateAuth USER_PASSWORD_AUTH", each(sign_in))
        if server.name == "emulator":
            await trigger_phase(api, phases, ops, out, args, server)

        async def srp_sign_in(api: Api, i: int) -> None:
            username = signed_up[i % len(signed_up)]
            a, big_a = srp_client_start()
            first = await api.call("InitiateAuth", {
                "ClientId": client_id, "AuthFlow": "USER_SRP_AUTH",
                "AuthParameters": {"USERNAME": username, "SRP_A": format(big_a, "x")}}, signed=False)
            answer = srp_client_answer(pool_id, PASSWORD, a, big_a, first["ChallengeParameters"])
            done = await api.call("RespondToAuthChallenge", {
                "ClientId": client_id, "ChallengeName": "PASSWORD_VERIFIER", "ChallengeResponses": answer,
                **({"Session": first["Session"]} if first.get("Session") else {})}, signed=False)
            if "AccessToken" not in done.get("AuthenticationResult", {}):
                raise ApiError(f"SRP sign-in gave no tokens: {done}")
        await phases("SRP sign-in (2 calls)", each(srp_sign_in))

        async def get_user(api: Api, i: int) -> None:
            resp = await api.call("GetUser", {"AccessToken": tokens[i % len(tokens)]}, signed=False)
            if not resp.get("Username"):
                raise ApiError(f"GetUser answered without a Username: {resp}")
        if tokens:
            await phases("GetUser", each(get_user))
        else:
            out["notes"].append("GetUser skipped: InitiateAuth gave no access token")

        async def jwks(api: Api, i: int) -> None:
            if not (await api.get(f"/{pool_id}/.well-known/jwks.json")).get("keys"):
                raise ApiError("JWKS without keys")
        await phases("GET jwks.json", each(jwks))

        seeded = ops["seed (AdminCreateUser)"].ops + seq["seed (AdminCreateUser)"].ops
        walk = await walk_all(api, seeded_pool)
        if walk["walk_users"] != seeded:
            out["notes"].append(f"ListUsers walk saw {walk['walk_users']} users, seeded {seeded}")

        def walker(api: Api) -> Callable[[], Call]:
            def one_walker() -> Call:
                state: dict[str, str | None] = {"token": None}

                async def page(i: int) -> None:
                    body = {"UserPoolId": seeded_pool, "Limit": 60}
                    if state["token"]:
                        body["PaginationToken"] = state["token"]
                    state["token"] = None  # on error, start over
                    state["token"] = (await api.call("ListUsers", body)).get("PaginationToken")
                return page
            return one_walker
        await phases("ListUsers page (Limit 60)", walker)
        ops["ListUsers page (Limit 60)"].extra = walk
        if server.name == "emulator":
            # Reset with the whole load still in the store (10,000+ users): a test suite's
            # per-test reset costs this.
            t0 = time.perf_counter()
            await api.post_empty("/_emulator/reset")
            out["reset_ms"] = (time.perf_counter() - t0) * 1000
    finally:
        await transport.aclose()
        await one.aclose()
    out["rss_mb_after_load"] = server.rss_mb()
    return out


async def trigger_phase(api: Api, phases: Callable[..., Awaitable[None]], ops: dict[str, OpResult],
                        out: dict[str, Any], args: argparse.Namespace, server: Server) -> None:
    """The same sign-in in a pool whose PreTokenGeneration is a Python handler on disk
    (--lambda-dir): its row, then what the trigger adds to a sign-in's server CPU,
    measured against a twin pool without it (trigger_ab)."""
    with_trigger = await trigger_pool(api, {"PreTokenGeneration": PRE_TOKEN_ARN})

    async def sign_in(api: Api, i: int) -> None:
        await trigger_sign_in(api, with_trigger, i)
    await phases(TRIGGER_SIGN_IN, each(sign_in))
    out["trigger_ab"] = await trigger_ab(api, server, await trigger_pool(api, None), with_trigger, args)
    out["trigger_cpu_ms_per_sign_in"] = out["trigger_ab"]["median_ms"]


async def trigger_pool(api: Api, lambda_config: dict[str, str] | None) -> tuple[str, list[str]]:
    """A pool (with this LambdaConfig, if any), its client, and 16 users; the client's id and the names."""
    body: dict[str, Any] = {"PoolName": "bench-trigger"}
    if lambda_config:
        body["LambdaConfig"] = lambda_config
    pool_id = (await api.call("CreateUserPool", body))["UserPool"]["Id"]
    client_id = (await api.call("CreateUserPoolClient", {
        "UserPoolId": pool_id, "ClientName": "bench", "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH"],
    }))["UserPoolClient"]["ClientId"]
    names = [f"trigger-{k:02d}" for k in range(16)]
    for name in names:
        await api.call("AdminCreateUser", {"UserPoolId": pool_id, "Username": name, "MessageAction": "SUPPRESS",
                                           "UserAttributes": [{"Name": "email", "Value": f"{name}@example.com"}]})
        await api.call("AdminSetUserPassword", {"UserPoolId": pool_id, "Username": name, "Password": PASSWORD,
                                                "Permanent": True})
    return client_id, names


async def trigger_sign_in(api: Api, pool: tuple[str, list[str]], i: int) -> None:
    client_id, names = pool
    resp = await api.call("InitiateAuth", {
        "ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
        "AuthParameters": {"USERNAME": names[i % len(names)], "PASSWORD": PASSWORD}}, signed=False)
    if "IdToken" not in resp.get("AuthenticationResult", {}):
        raise ApiError(f"sign-in gave no tokens: {resp}")


async def trigger_ab(api: Api, server: Server, plain: tuple[str, list[str]], with_trigger: tuple[str, list[str]],
                     args: argparse.Namespace) -> dict[str, Any]:
    """A sign-in with PreTokenGeneration's extra server CPU: rounds of sign-ins at
    concurrency `args.concurrency` into twin pools, A (no trigger) and B (the trigger),
    interleaved (A B, B A, ...) so that a burst of load from elsewhere falls on both;
    each round's B - A, and their median."""
    per_round = min(args.requests, 200)
    a_ms: list[float] = []
    b_ms: list[float] = []
    for r in range(args.trigger_rounds):
        order = [(plain, a_ms), (with_trigger, b_ms)]
        for pool, into in order if r % 2 == 0 else order[::-1]:
            async def one(api: Api, i: int, pool: tuple[str, list[str]] = pool) -> None:
                await trigger_sign_in(api, pool, i)
            res = await run_op(server, each(one)(api), per_round, float("inf"), args.concurrency)
            if res.errors:
                raise ApiError(f"trigger A/B: {res.first_error}")
            into.append(res.server_cpu_ms_per_op)
    diffs = sorted(b - a for a, b in zip(a_ms, b_ms, strict=True))
    return {"median_ms": statistics.median(diffs), "diffs_ms": diffs, "a_ms": a_ms, "b_ms": b_ms,
            "ops_per_round": per_round}


async def walk_all(api: Api, pool_id: str) -> dict[str, Any]:
    """One client paging ListUsers through the whole pool: the time an app waits for a full listing."""
    log("  ListUsers walk")
    t0, pages, seen, token = time.perf_counter(), 0, 0, None
    while True:
        body: dict[str, Any] = {"UserPoolId": pool_id, "Limit": 60}
        if token:
            body["PaginationToken"] = token
        resp = await api.call("ListUsers", body)
        pages, seen = pages + 1, seen + len(resp["Users"])
        token = resp.get("PaginationToken")
        if not token:
            break
    return {"walk_s": time.perf_counter() - t0, "walk_pages": pages, "walk_users": seen}


# -- the client side of Cognito's SRP, for the SRP sign-in op ------------------------------


def srp_client_start() -> tuple[int, int]:
    from gmpy2 import mpz, powmod

    from emulator import srp

    a = int.from_bytes(os.urandom(128), "big") % srp.N
    return a, int(powmod(mpz(srp.G), mpz(a), mpz(srp.N)))


def srp_client_answer(pool_id: str, password: str, a: int, big_a: int, params: dict[str, str]) -> dict[str, str]:
    import base64
    import hashlib
    import hmac
    from datetime import datetime

    from gmpy2 import mpz, powmod

    from emulator import srp

    user_id, big_b, salt = params["USER_ID_FOR_SRP"], int(params["SRP_B"], 16), params["SALT"]
    pool_name = pool_id.split("_", 1)[1]
    u = int(srp.hex_hash(srp.pad_hex(big_a) + srp.pad_hex(big_b)), 16)
    inner = hashlib.sha256(f"{pool_name}{user_id}:{password}".encode()).hexdigest()
    x = int(srp.hex_hash(srp.pad_hex(salt) + inner), 16)
    n = mpz(srp.N)
    base = (big_b - srp.K * int(powmod(mpz(srp.G), mpz(x), n))) % srp.N
    s = int(powmod(mpz(base), mpz(a + u * x), n))
    prk = hmac.new(bytes.fromhex(srp.pad_hex(u)), bytes.fromhex(srp.pad_hex(s)), hashlib.sha256).digest()
    key = hmac.new(prk, b"Caldera Derived Key\x01", hashlib.sha256).digest()[:16]
    now = datetime.now(UTC)
    timestamp = f"{now:%a %b} {now.day} {now:%H:%M:%S} UTC {now.year}"
    message = pool_name.encode() + user_id.encode() + base64.b64decode(params["SECRET_BLOCK"]) + timestamp.encode()
    signature = base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
    return {"USERNAME": user_id, "PASSWORD_CLAIM_SECRET_BLOCK": params["SECRET_BLOCK"],
            "PASSWORD_CLAIM_SIGNATURE": signature, "TIMESTAMP": timestamp}


# -- running and reporting ------------------------------------------------------------


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


@contextlib.contextmanager
def running(servers: list[Server]) -> Iterator[None]:
    """Stop every server started in the block, by PID, however the block ends. SIGTERM is
    handled as Ctrl-C, which asyncio.run turns into a clean cancellation of the run."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler), signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, lambda signum, frame: signal.raise_signal(signal.SIGINT))
    try:
        yield
    finally:
        for s in servers:
            s.stop()
        signal.signal(signal.SIGINT, previous[0])
        signal.signal(signal.SIGTERM, previous[1])


def measure(name: str, make_cmd: Callable[[int], list[str]], health: str, workdir: Path,
            servers: list[Server], runs: int) -> tuple[Server, list[float]]:
    """Cold-start `runs` times (fresh dirs each time); keep the last server running."""
    colds: list[float] = []
    for run in range(runs):
        s = start_server(name, make_cmd(run), health, workdir)
        servers.append(s)
        log(f"  {name}: pid {s.pid} on {s.url}, answered after {s.cold_start_s * 1000:.0f} ms")
        colds.append(s.cold_start_s)
        if run < runs - 1:
            s.stop()
    return servers[-1], colds


def fmt(v: float | None, spec: str = ".0f") -> str:
    return "-" if v is None else format(v, spec)


def revision() -> str:
    """The emulator's git commit, '+dirty' when the working tree has changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "emulator"], cwd=ROOT,
                               capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (head or "unknown") + ("+dirty" if dirty else "")


def crypto_floor(samples: int = 60) -> dict[str, float]:
    """CPU ms of each piece of crypto a password row cannot skip, timed here with the
    emulator's own code and defaults (bcrypt cost 4, RS256 with a 2048-bit key, the SRP
    verifier): what no server design can go below."""
    sys.path.insert(0, str(ROOT))
    from cryptography.hazmat.primitives.asymmetric import rsa

    from emulator import passwords, srp, tokens

    key = tokens.PoolKey(rsa.generate_private_key(public_exponent=65537, key_size=2048))
    hashed = passwords.hash_password(PASSWORD, 4)
    claims = {"sub": "0" * 36, "iss": "http://127.0.0.1:9229/us-east-1_bench0000", "token_use": "access",
              "scope": "aws.cognito.signin.user.admin", "iat": 1, "exp": 2, "jti": "1" * 36}
    pieces = {
        "bcrypt check": lambda: passwords.check(PASSWORD, hashed),
        "bcrypt hash": lambda: passwords.hash_password(PASSWORD, 4),
        "RS256 signature": lambda: tokens.sign(key, claims),
        "SRP verifier": lambda: srp.make_verifier("us-east-1_bench0000", "someone", PASSWORD),
    }
    out = {}
    for name, fn in pieces.items():
        fn()
        started = time.process_time()
        for _ in range(samples):
            fn()
        out[name] = (time.process_time() - started) / samples * 1000
    return out


# What each password row must do, at the least, per op.
FLOOR_RECIPES = {
    "SignUp+AdminConfirmSignUp": {"bcrypt hash": 1, "SRP verifier": 1},
    "InitiateAuth USER_PASSWORD_AUTH": {"bcrypt check": 1, "RS256 signature": 2},
}


def floor_lines(results: dict[str, Any]) -> list[str]:
    floor, cpus = results.get("crypto_floor_ms"), results["cpus"]
    if not floor:
        return []
    moto = (results.get("moto") or {}).get("ops") or {}
    lines = ["floor     crypto per op, timed in this process: " + ", ".join(
        f"{name} {ms:.2f} ms" for name, ms in floor.items())]
    for row, recipe in FLOOR_RECIPES.items():
        ms = sum(floor[piece] * n for piece, n in recipe.items())
        line = (f"floor     {row}: " + " + ".join(f"{n} {piece}" for piece, n in recipe.items())
                + f" = {ms:.2f} ms of CPU: at most {cpus * 1000 / ms:.0f} ops/s on {cpus} CPUs doing nothing else")
        m = moto.get(row)
        if m and m["ops_per_s"]:
            line += f"; 3x moto here is {3 * m['ops_per_s']:.0f} ops/s"
        lines.append(line)
    return lines


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def cells(r: dict[str, Any] | None, s: dict[str, Any] | None) -> str:
    """One server's cells: ops/s, p50, p99, cpu/op at concurrency; p50, p99 of the one client."""
    c16 = (f"{r['ops_per_s']:>7.0f}{r['p50_ms']:>7.1f}{r['p99_ms']:>7.1f}{r['server_cpu_ms_per_op']:>7.2f}"
           if r and r["ops"] else f"{'n/a':>7}{'':>21}")
    one = f"{s['p50_ms']:>8.2f}{s['p99_ms']:>8.2f}" if s and s["ops"] else f"{'n/a':>8}{'':>8}"
    return c16 + one


def print_rows(results: dict[str, Any]) -> None:
    """The table: each op at concurrency (throughput) and sequential (latency), per server."""
    emu, moto = results["emulator"], results.get("moto") or {}
    has_moto = "ops" in moto
    cfg = results["config"]
    cols = f"{'ops/s':>7}{'p50':>7}{'p99':>7}{'cpu/op':>7}{'seq p50':>8}{'seq p99':>8}"
    width = len(cols)
    head = f"{'':<32}{'emulator':^{width}}" + (
        f"{'moto ' + moto.get('version', ''):^{width}}{'emu faster by':>16}" if has_moto else "")
    sub = f"{'operation':<32}{cols}" + (f"{cols}{'c16':>8}{'seq':>8}" if has_moto else "")
    print()
    print(f"emulator {results['revision']}, client {cfg['client']}, {results['cpus']} CPUs, "
          f"{cfg['users']} users seeded")
    print(f"ops/s, p50, p99 (ms), cpu/op (server CPU ms per op): concurrency {cfg['concurrency']}, "
          f"{cfg['requests']} ops or {cfg['duration']:g} s per operation")
    print(f"seq p50, seq p99 (ms): one client calling back to back on one kept-alive connection, "
          f"{cfg['seq_requests']} ops or {cfg['seq_duration']:g} s per operation")
    if has_moto:
        print("emu faster by: c16 = emulator ops/s / moto ops/s; seq = moto seq p50 / emulator seq p50")
    print(head)
    print(sub)
    print("-" * len(sub))
    for name, r in emu["ops"].items():
        s = emu["sequential"].get(name)
        row = f"{name:<32}{cells(r, s)}"
        if has_moto:
            m, ms = moto["ops"].get(name), moto["sequential"].get(name)
            c16 = ratio(r["ops_per_s"], m and m["ops"] and m["ops_per_s"])
            seq = ratio(ms and ms["ops"] and ms["p50_ms"], s and s["ops"] and s["p50_ms"])
            row += f"{cells(m, ms)}{fmt(c16, '.2f') + 'x':>8}{fmt(seq, '.2f') + 'x':>8}"
        print(row)
    print("-" * len(sub))


def print_table(results: dict[str, Any]) -> None:
    emu, moto = results["emulator"], results.get("moto") or {}
    has_moto = "ops" in moto
    print_rows(results)
    lines = []
    for label, res in (("emulator", emu), ("moto", moto if has_moto else None)):
        if not res:
            continue
        walk = res["ops"]["ListUsers page (Limit 60)"]["extra"]
        lines.append(f"{label:<9} walk all users, one client: {walk['walk_users']} users in "
                     f"{walk['walk_pages']} pages, {walk['walk_s']:.2f} s "
                     f"({walk['walk_pages'] / walk['walk_s']:.0f} pages/s)")
        colds = res["cold_start_s"]
        lines.append(f"{label:<9} cold start, spawn to first answer: median {statistics.median(colds) * 1000:.0f} ms "
                     f"of {[round(x * 1000) for x in colds]}")
        lines.append(f"{label:<9} RSS: {fmt(res['rss_mb_after_load'], '.1f')} MB after the load "
                     f"({fmt(res['rss_mb_idle'], '.1f')} MB idle after start)")
        lines.append(f"{label:<9} InitiateAuth with a wrong password: {res['password_check']}")
        if "trigger_ab" in res:
            lines.append(trigger_line(label, res["trigger_ab"]))
        if "reset_ms" in res:
            lines.append(f"{label:<9} POST /_emulator/reset with the whole load in the store: {res['reset_ms']:.1f} ms")
        for phase, key in (("", "ops"), (" (sequential)", "sequential")):
            for name, r in res[key].items():
                if r["errors"]:
                    lines.append(f"{label:<9} {name}{phase}: {r['errors']} errors, first: {r['first_error']}")
        lines += [f"{label:<9} note: {note}" for note in res["notes"]]
    if has_moto:
        e_cold, m_cold = statistics.median(emu["cold_start_s"]), statistics.median(moto["cold_start_s"])
        e_walk = emu["ops"]["ListUsers page (Limit 60)"]["extra"]["walk_s"]
        m_walk = moto["ops"]["ListUsers page (Limit 60)"]["extra"]["walk_s"]
        e_rss, m_rss = emu["rss_mb_after_load"], moto["rss_mb_after_load"]
        lines.append(f"emu/moto  cold start {e_cold / m_cold:.2f}x, full walk {e_walk / m_walk:.2f}x, "
                     f"RSS {fmt(e_rss / m_rss if e_rss and m_rss else None, '.2f')}x "
                     f"(times and memory: below 1 = emulator better; c16 and seq columns: above 1 = emulator faster)")
    elif moto:
        lines.append(f"moto: skipped: {moto.get('skipped')}")
    client = [r["client_cpu_ms_per_op"] for r in emu["ops"].values() if r["ops"]]
    if client:
        lines.append(f"client    bench CPU per op against the emulator: {min(client):.2f}-{max(client):.2f} ms "
                     f"(client and servers share the {results['cpus']} CPUs)")
    one = {name: r["client_cpu_ms_per_op"] for name, r in emu["sequential"].items() if r["ops"]}
    if one:
        lines.append("client    sequential client's CPU per op, inside its seq latency: " + ", ".join(
            f"{name.split(' (')[0]} {ms:.2f}" for name, ms in one.items()) + " ms")
    lines += floor_lines(results)
    print("\n".join(lines))


def trigger_line(label: str, ab: dict[str, Any]) -> str:
    diffs = ab["diffs_ms"]
    return (f"{label:<9} a PreTokenGeneration handler (--lambda-dir) adds {ab['median_ms']:.2f} ms of server CPU "
            f"to a sign-in: median of {len(diffs)} interleaved rounds of {ab['ops_per_round']} (B - A per round "
            f"{diffs[0]:.2f} to {diffs[-1]:.2f}; A {statistics.median(ab['a_ms']):.2f}, "
            f"B {statistics.median(ab['b_ms']):.2f} ms/sign-in)")


async def main_async(args: argparse.Namespace, workdir: Path, servers: list[Server]) -> dict[str, Any]:
    results: dict[str, Any] = {"config": {k: v for k, v in vars(args).items() if k != "json"},
                               "cpus": os.cpu_count(), "revision": revision(),
                               "python": sys.version.split()[0]}
    log("crypto floor: timing bcrypt, RS256 and the SRP verifier in this process")
    results["crypto_floor_ms"] = crypto_floor()
    log(f"emulator: {args.cold_starts} cold starts")
    emu, colds = measure("emulator", lambda run: emulator_cmd(workdir, run, args), "/health",
                         workdir, servers, args.cold_starts)
    idle = emu.rss_mb()
    results["emulator"] = {**await bench_target(emu, args), "cold_start_s": colds, "rss_mb_idle": idle,
                           "pid": emu.pid}
    emu.stop()

    why_not = "disabled by --no-moto" if args.no_moto else moto_missing(args.moto_python)
    if why_not:
        log(f"moto: skipped ({why_not})")
        results["moto"] = {"skipped": why_not}
        return results
    log(f"moto: {args.cold_starts} cold starts")
    try:
        moto, mcolds = measure("moto", lambda run: moto_cmd(args.moto_python), "/moto-api/data.json", workdir,
                               servers, args.cold_starts)
    except RuntimeError as exc:
        log(f"moto: could not start: {exc}")
        results["moto"] = {"skipped": f"could not start: {exc}"}
        return results
    midle = moto.rss_mb()
    try:
        results["moto"] = {**await bench_target(moto, args), "cold_start_s": mcolds, "rss_mb_idle": midle,
                           "pid": moto.pid, "version": moto_version(args.moto_python)}
    except REQUEST_ERRORS as exc:
        log(f"moto: failed: {exc}")
        results["moto"] = {"skipped": f"failed: {exc}"}
    moto.stop()
    return results


# -- A/B: sign-in with device and session tracking off, this tree against another ------------
# (--ab-base) Did devices and sessions (issue 15) slow the sign-ins of pools that use
# neither? One server from this tree and one from another checkout (the code before them),
# the same pool on each (no DeviceConfiguration, session tracking off: the defaults), both
# sign-in ops run in interleaved rounds, the order alternating, and medians reported.

AB_OPS = ("InitiateAuth USER_PASSWORD_AUTH", "SRP sign-in (2 calls)")


def ab_cmd(workdir: Path, name: str, src: Path) -> list[str]:
    """An emulator from the byte-compiled sources in `src`, which come first on its path."""
    d = workdir / f"ab-{name}"
    return ["env", f"PYTHONPATH={src}", sys.executable, "-m", "emulator", "--host", "127.0.0.1",
            "--port", "{port}", "--data-dir", str(d / "data"), "--keys-dir", str(d / "keys"),
            "--bcrypt-rounds", "4", "--log-level", "warning"]


async def ab_sign_in_ops(server: Server, api: Api) -> dict[str, Callable[[Api], Callable[[], Call]]]:
    """A pool without device or session tracking, 64 users, and its two sign-in ops."""
    pool_id, client_id = await setup_pool(api, "bench-ab")
    names = [f"ab-{k:03d}" for k in range(64)]
    for name in names:
        await api.call("AdminCreateUser", {"UserPoolId": pool_id, "Username": name, "MessageAction": "SUPPRESS"})
        await api.call("AdminSetUserPassword", {"UserPoolId": pool_id, "Username": name, "Password": PASSWORD,
                                                "Permanent": True})
    config = (await api.call("DescribeUserPool", {"UserPoolId": pool_id}))["UserPool"]
    if config.get("DeviceConfiguration"):
        raise ApiError(f"{server.name}: the A/B pool tracks devices")

    async def password(api: Api, i: int) -> None:
        resp = await api.call("InitiateAuth", {
            "ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": names[i % len(names)], "PASSWORD": PASSWORD}}, signed=False)
        result = resp.get("AuthenticationResult") or {}
        if "AccessToken" not in result or "NewDeviceMetadata" in result:
            raise ApiError(f"sign-in gave no tokens, or a device: {resp}")

    async def srp_sign_in(api: Api, i: int) -> None:
        a, big_a = srp_client_start()
        first = await api.call("InitiateAuth", {
            "ClientId": client_id, "AuthFlow": "USER_SRP_AUTH",
            "AuthParameters": {"USERNAME": names[i % len(names)], "SRP_A": format(big_a, "x")}}, signed=False)
        answer = srp_client_answer(pool_id, PASSWORD, a, big_a, first["ChallengeParameters"])
        done = await api.call("RespondToAuthChallenge", {
            "ClientId": client_id, "ChallengeName": "PASSWORD_VERIFIER", "ChallengeResponses": answer,
            **({"Session": first["Session"]} if first.get("Session") else {})}, signed=False)
        if "AccessToken" not in done.get("AuthenticationResult", {}):
            raise ApiError(f"SRP sign-in gave no tokens: {done}")

    return dict(zip(AB_OPS, (each(password), each(srp_sign_in)), strict=True))


async def ab_tracking_off(args: argparse.Namespace, workdir: Path, servers: list[Server]) -> dict[str, Any]:
    """`args.ab_rounds` rounds; in each, each op on each server (concurrency, then one
    client), the servers' order alternating from round to round."""
    this_revision = revision()  # the sources main() copied a moment ago
    base_src = precompile_tree(args.ab_base, workdir / "base-src")
    both = [start_server("this", ab_cmd(workdir, "this", workdir / "src"), "/health", workdir),
            start_server("base", ab_cmd(workdir, "base", base_src), "/health", workdir)]
    servers.extend(both)
    c = args.concurrency
    apis = {s.name: Api(RawTransport(s.url, c)) for s in both}
    ones = {s.name: Api(RawTransport(s.url, 1)) for s in both}
    rounds: list[dict[str, Any]] = []
    try:
        ops = {s.name: await ab_sign_in_ops(s, apis[s.name]) for s in both}
        for r in range(args.ab_rounds):
            log(f"  A/B round {r + 1} of {args.ab_rounds}")
            row: dict[str, Any] = {}
            for name in AB_OPS:
                for s in (both if r % 2 == 0 else both[::-1]):
                    make = ops[s.name][name]
                    row[f"{s.name}|{name}|c{c}"] = await run_op(s, make(apis[s.name]), args.requests,
                                                               args.duration, c)
                    row[f"{s.name}|{name}|seq"] = await run_op(s, make(ones[s.name]), args.seq_requests,
                                                              args.seq_duration, 1)
            rounds.append(row)
    finally:
        for api in (*apis.values(), *ones.values()):
            await api.transport.aclose()
    return {"base": str(args.ab_base), "base_revision": tree_revision(args.ab_base), "revision": this_revision,
            "rounds": rounds, "concurrency": c}


def tree_revision(tree: Path) -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=tree, capture_output=True, text=True,
                              timeout=10).stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def precompile_tree(tree: Path, dest: Path) -> Path:
    """Byte-compiled copy of `tree`'s emulator package (as precompile() does for this one)."""
    shutil.copytree(tree / "emulator", dest / "emulator", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(dest / "emulator")], check=True,
                   stdout=subprocess.DEVNULL, timeout=120)
    return dest


def print_ab(results: dict[str, Any]) -> None:
    """Per op and figure: each server's median (and range) over the rounds, the ratio of
    the medians, and the median of the rounds' own ratios (paired: a round's two servers
    ran back to back, so they shared that moment's load)."""
    rounds, c = results["rounds"], results["concurrency"]
    print(f"\nA/B, device and session tracking off: this tree {results['revision']} against "
          f"{results['base']} ({results['base_revision']}), {len(rounds)} interleaved rounds, medians (min-max)")
    print(f"{'operation':<34}{'figure':<15}{'this':>22}{'base':>22}{'this/base':>11}{'paired':>8}")
    figures = ((f"c{c}", "ops_per_s", "ops/s"), (f"c{c}", "server_cpu_ms_per_op", "cpu ms/op"),
               ("seq", "p50_ms", "seq p50 ms"), ("seq", "server_cpu_ms_per_op", "seq cpu ms/op"))
    for name in AB_OPS:
        for mode, key, label in figures:
            pairs = [(r[f"this|{name}|{mode}"][key], r[f"base|{name}|{mode}"][key]) for r in rounds
                     if r[f"this|{name}|{mode}"]["ops"] and r[f"base|{name}|{mode}"]["ops"]]
            cells, medians = [], []
            for values in ([a for a, _ in pairs], [b for _, b in pairs]):
                medians.append(statistics.median(values) if values else None)
                cells.append(f"{fmt(medians[-1], '.2f')} ({fmt(min(values, default=None), '.2f')}-"
                             f"{fmt(max(values, default=None), '.2f')})")
            paired = statistics.median([a / b for a, b in pairs if b]) if pairs else None
            print(f"{name:<34}{label:<15}{cells[0]:>22}{cells[1]:>22}{fmt(ratio(*medians), '.3f'):>11}"
                  f"{fmt(paired, '.3f'):>8}")
    errors = [f"{k}: {v['errors']} errors, first: {v['first_error']}" for r in rounds for k, v in r.items()
              if v["errors"]]
    print("\n".join(errors[:5]) or "no errors")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--users", type=int, help="users seeded for ListUsers (default 10000; --quick 1000)")
    p.add_argument("--concurrency", type=int, default=16, help="requests in flight (default 16)")
    p.add_argument("--requests", type=int, help="max ops per operation (default 2000; --quick 300)")
    p.add_argument("--duration", type=float, help="max seconds per operation (default 10; --quick 3)")
    p.add_argument("--seq-requests", type=int,
                   help="max ops per operation for the one sequential client (default 300; --quick 100)")
    p.add_argument("--seq-duration", type=float,
                   help="max seconds per operation for the sequential client (default 10; --quick 2)")
    p.add_argument("--cold-starts", type=int, default=3, help="cold starts to time (default 3)")
    p.add_argument("--client", choices=["httpx", "raw"], default="raw",
                   help="a minimal asyncio HTTP/1.1 client (default: light enough not to be the "
                        "bottleneck on 2 cores) or httpx.AsyncClient")
    p.add_argument("--quick", action="store_true", help="a smaller run")
    p.add_argument("--no-moto", action="store_true", help="skip the moto comparison")
    p.add_argument("--moto-python", default=sys.executable,
                   help="the Python that runs moto's server, where moto[server] is installed "
                        "(default: this one)")
    p.add_argument("--sqlite-synchronous", help="pass to the emulator (its default is FULL)")
    p.add_argument("--trigger-rounds", type=int,
                   help="interleaved A/B rounds for a PreTokenGeneration trigger's CPU (default 8; --quick 4)")
    p.add_argument("--json", type=Path, help="also write the results as JSON here")
    p.add_argument("--ab-base", type=Path, help="instead of the full run: sign-in with device and session "
                   "tracking off, this tree against the emulator of this other checkout (interleaved rounds)")
    p.add_argument("--ab-rounds", type=int, default=5, help="rounds of the --ab-base comparison (default 5)")
    args = p.parse_args(argv)
    args.users = args.users or (1000 if args.quick else 10_000)
    args.requests = args.requests or (300 if args.quick else 2000)
    args.duration = args.duration or (3.0 if args.quick else 10.0)
    args.seq_requests = args.seq_requests or (100 if args.quick else 300)
    args.seq_duration = args.seq_duration or (2.0 if args.quick else 10.0)
    args.trigger_rounds = args.trigger_rounds or (4 if args.quick else 8)
    return args


def precompile(workdir: Path) -> Path:
    """A byte-compiled copy of the emulator's sources, as `pip install` leaves one, for
    the servers to run: where PYTHONDONTWRITEBYTECODE is set (as in some sandboxes), every
    cold start would otherwise compile ~60 modules again (~100-150 ms), a cost no
    installed copy pays (moto, from site-packages, never does). Returns the folder to
    put first on PYTHONPATH."""
    src = workdir / "src"
    shutil.copytree(ROOT / "emulator", src / "emulator", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(src / "emulator")], check=True,
                   stdout=subprocess.DEVNULL, timeout=120)
    return src


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    servers: list[Server] = []
    with tempfile.TemporaryDirectory(prefix="cognito-bench-") as tmp, running(servers):
        src = precompile(Path(tmp))
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), os.environ.get("PYTHONPATH")]))
        try:
            if args.ab_base:
                ab = json.loads(json.dumps(asyncio.run(ab_tracking_off(args, Path(tmp), servers)), default=asdict))
                print_ab(ab)
                if args.json:
                    args.json.write_text(json.dumps(ab, indent=2) + "\n")
                return 0
            results = asyncio.run(main_async(args, Path(tmp), servers))
        except KeyboardInterrupt:
            log("interrupted: stopping servers")
            return 130
    # Dataclasses inside become plain dicts for the table and the JSON file.
    results = json.loads(json.dumps(results, default=asdict))
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")
        print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
