"""Scale benchmark: the same per-call figures at 1,000 users and at a large count.

    python bench/scale.py                     # 1,000 and 100,000 users
    python bench/scale.py --large 1000000     # 1,000 and 1,000,000 users
    python bench/scale.py --import-only 1000000 --rounds 3   # only time the import job

For each size it starts the emulator (`python -m emulator`, fresh temp directories, a
free 127.0.0.1 port; stopped by its PID), loads the users through one user import job
(GetCSVHeader, CreateUserImportJob, the CSV PUT to the PreSignedUrl, StartUserImportJob,
DescribeUserImportJob until it ends). With both sizes loaded and served at once, it
times the same call on each server in turn (so the machine's drift falls on both alike),
one call at a time on one kept-alive connection per server: AdminGetUser, InitiateAuth,
GetUser, ListUsers' first page and every filter kind (= and ^= on each searchable
attribute); then on each server a full ListUsers scan, snapshot export (to a file),
reset, and the snapshot imported back. It prints p50 and p90 per operation, the server's
RSS (now and peak) and the database's size on disk. `--reuse-data DIR` keeps each size's
loaded data in DIR and starts from a copy of it on later runs; `--calls-only` skips the
scan and the snapshots. It asserts nothing about timings; not part of the test suite.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import AUTH, Server, emulator_cmd, precompile, start_server  # noqa: E402

TARGET = "AWSCognitoIdentityProviderService."
PASSWORD = "Passw0rd!"
GIVEN = ["Ann", "Bob", "Carla", "Dmitri", "Eve", "Farid", "Gita", "Hugo", "Ines", "Jon"] * 5
FAMILY = [f"F{i}" for i in range(10)]  # few values: each "Limit 60" search fills its page at 1,000 users too


class Api:
    """One kept-alive HTTP/1.1 connection to the server."""

    def __init__(self, url: str) -> None:
        host, port = url.split("//")[1].split(":")
        self.address = (host, int(port))
        self.conn = http.client.HTTPConnection(*self.address, timeout=600)

    def raw(self, method: str, path: str, body: Any = None,
            headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        try:
            self.conn.request(method, path, body=body, headers=headers or {})
            reply = self.conn.getresponse()
        except (ConnectionError, http.client.RemoteDisconnected):
            # The server closes a connection idle for 5 s (uvicorn's keep-alive): open another.
            self.conn.close()
            self.conn = http.client.HTTPConnection(*self.address, timeout=600)
            if hasattr(body, "seek"):
                body.seek(0)
            self.conn.request(method, path, body=body, headers=headers or {})
            reply = self.conn.getresponse()
        return reply.status, reply.read()

    def call(self, action: str, body: dict[str, Any]) -> dict[str, Any]:
        status, data = self.raw("POST", "/", json.dumps(body).encode(), {
            "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": TARGET + action, "Authorization": AUTH})
        if status != 200:
            raise RuntimeError(f"{action}: HTTP {status}: {data[:300]!r}")
        result: dict[str, Any] = json.loads(data)
        return result


def write_csv(path: Path, header: list[str], users: int) -> None:
    with path.open("w") as fh:
        fh.write(",".join(header) + "\n")
        for i in range(users):
            # Short values: a million rows stay under the 100 MB upload limit (~90 MB).
            row = {"cognito:username": f"u{i:07d}", "cognito:mfa_enabled": "false",
                   "email": f"u{i:07d}@ex.io", "email_verified": "true",
                   "phone_number": f"+1555{i:07d}", "given_name": GIVEN[i % len(GIVEN)],
                   "family_name": FAMILY[i % len(FAMILY)], "name": f"{GIVEN[i % len(GIVEN)]} {i}",
                   "preferred_username": f"p{i:07d}"}
            fh.write(",".join(row.get(h, "") for h in header) + "\n")


def import_users(api: Api, pool: str, users: int, workdir: Path) -> dict[str, float]:
    header = api.call("GetCSVHeader", {"UserPoolId": pool})["CSVHeader"]
    csv_path = workdir / f"users-{users}.csv"
    write_csv(csv_path, header, users)
    api.conn.close()  # idle while the file was written: start afresh
    t0 = time.perf_counter()
    job = api.call("CreateUserImportJob", {"UserPoolId": pool, "JobName": "bench",
                                           "CloudWatchLogsRoleArn": "arn:aws:iam::123456789012:role/Import"})
    job = job["UserImportJob"]
    path = "/" + job["PreSignedUrl"].split("/", 3)[3]
    with csv_path.open("rb") as fh:  # streamed from disk, as curl -T does
        status, data = api.raw("PUT", path, fh, {"Content-Length": str(csv_path.stat().st_size),
                                                 "x-amz-server-side-encryption": "aws:kms"})
    if status != 200:
        raise RuntimeError(f"upload: HTTP {status}: {data[:300]!r}")
    t_upload = time.perf_counter() - t0
    api.call("StartUserImportJob", {"UserPoolId": pool, "JobId": job["JobId"]})
    polls: list[float] = []  # how long a call waits while the job runs: the batch it lands behind, and a commit
    while True:
        t1 = time.perf_counter()
        job = api.call("DescribeUserImportJob", {"UserPoolId": pool, "JobId": job["JobId"]})["UserImportJob"]
        polls.append((time.perf_counter() - t1) * 1000)
        if job["Status"] in ("Succeeded", "Failed", "Stopped"):
            break
        time.sleep(0.2)
    total = time.perf_counter() - t0
    if job["Status"] != "Succeeded" or job["ImportedUsers"] != users:
        raise RuntimeError(f"import job ended {job['Status']}: {job}")
    polls.sort()
    return {"upload_s": t_upload, "import_s": total, "users_per_s": users / total,
            "csv_mb": csv_path.stat().st_size / 1e6, "poll_p50_ms": statistics.median(polls),
            "poll_max_ms": polls[-1]}


def timed_side_by_side(samples: int, fns: list[Callable[[int], Any]]) -> list[dict[str, float]]:
    """p50 and p90 (ms) of each fn, called in turn (a, b, a, b...) so that a machine's
    drift falls on all of them alike."""
    times: list[list[float]] = [[] for _ in fns]
    for i in range(samples):
        for fn, out in zip(fns, times, strict=True):
            t0 = time.perf_counter()
            fn(i)
            out.append((time.perf_counter() - t0) * 1000)
    return [{"p50": statistics.median(t), "p90": sorted(t)[int(len(t) * 0.9) - 1] if len(t) > 1 else t[0]}
            for t in times]


def filters(users: int, sub: str) -> dict[str, str]:
    """Each search finds as many users at every size: one (=, and sub's 8-character
    prefix: a 4-character one found ~15 at a million and 1 at a thousand), ten (a
    9-character prefix of a 7-digit number), or a full page (Limit 60)."""
    i = users // 2
    return {
        'username =': f'username = "u{i:07d}"', 'username ^=': f'username ^= "u{i // 10:06d}"',
        'email =': f'email = "u{i:07d}@ex.io"', 'email ^=': f'email ^= "u{i // 10:06d}"',
        'phone_number =': f'phone_number = "+1555{i:07d}"', 'phone_number ^=': f'phone_number ^= "+1555{i // 10:06d}"',
        'name =': f'name = "{GIVEN[i % len(GIVEN)]} {i}"', 'name ^= (Limit 60)': 'name ^= "Carla"',
        'given_name = (Limit 60)': 'given_name = "Eve"', 'given_name ^= (Limit 60)': 'given_name ^= "Hu"',
        'family_name = (Limit 60)': 'family_name = "F4"',
        'family_name ^= (Limit 60)': 'family_name ^= "F"',
        'preferred_username =': f'preferred_username = "p{i:07d}"',
        'preferred_username ^=': f'preferred_username ^= "p{i // 10:06d}"',
        'cognito:user_status = (Limit 60)': 'cognito:user_status = "RESET_REQUIRED"',
        'cognito:user_status ^= (Limit 60)': 'cognito:user_status ^= "RESET"',
        'status = (Limit 60)': 'status = "Enabled"', 'sub =': f'sub = "{sub}"', 'sub ^=': f'sub ^= "{sub[:8]}"',
    }


def load(api: Api, users: int, workdir: Path) -> dict[str, Any]:
    """A pool and an app client, and the users loaded through one import job."""
    pool = api.call("CreateUserPool", {"PoolName": "scale", "AutoVerifiedAttributes": ["email"]})["UserPool"]["Id"]
    client = api.call("CreateUserPoolClient", {"UserPoolId": pool, "ClientName": "c", "ExplicitAuthFlows": [
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]})["UserPoolClient"]["ClientId"]
    return {"pool": pool, "client": client, "import": import_users(api, pool, users, workdir)}


def calls(api: Api, users: int, samples: int, loaded: dict[str, Any]) -> dict[str, Callable[[int], Any]]:
    """The per-call operations to time, by label: each takes the sample's number."""
    pool, client = loaded["pool"], loaded["client"]
    rng = random.Random(7)
    names = [f"u{rng.randrange(users):07d}" for _ in range(samples)]
    signer = f"u{users // 3:07d}"
    api.call("AdminSetUserPassword", {"UserPoolId": pool, "Username": signer, "Password": PASSWORD, "Permanent": True})
    auth = {"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": signer, "PASSWORD": PASSWORD}}
    token = api.call("InitiateAuth", auth)["AuthenticationResult"]["AccessToken"]
    sub = next(a["Value"] for a in api.call("AdminGetUser", {"UserPoolId": pool, "Username": signer})["UserAttributes"]
               if a["Name"] == "sub")
    ops: dict[str, Callable[[int], Any]] = {
        "AdminGetUser": lambda i: api.call("AdminGetUser", {"UserPoolId": pool, "Username": names[i]}),
        "InitiateAuth": lambda i: api.call("InitiateAuth", auth),
        "GetUser": lambda i: api.call("GetUser", {"AccessToken": token}),
        "ListUsers first page (Limit 60)": lambda i: api.call("ListUsers", {"UserPoolId": pool}),
    }
    for label, text in filters(users, sub).items():
        if not api.call("ListUsers", {"UserPoolId": pool, "Filter": text, "Limit": 60})["Users"]:
            raise RuntimeError(f"{text} found nobody")
        ops[f"ListUsers {label}"] = lambda i, t=text: api.call(  # type: ignore[misc]
            "ListUsers", {"UserPoolId": pool, "Filter": t, "Limit": 60})
    return ops


def whole_state(server: Server, api: Api, users: int, workdir: Path, loaded: dict[str, Any],
                full: bool) -> dict[str, Any]:
    """RSS, then (unless `full` is off) a full ListUsers scan and the snapshot export;
    reset; then the snapshot imported back."""
    pool, signer = loaded["pool"], f"u{users // 3:07d}"
    out: dict[str, Any] = {"rss_mb_before_export": rss(server), "db_mb": db_mb(workdir)}
    if not full:  # --calls-only: RSS and reset
        out["rss_peak_mb"] = rss(server, "VmHWM")
        t0 = time.perf_counter()
        api.raw("POST", "/_emulator/reset")
        out["reset_ms"] = (time.perf_counter() - t0) * 1000
        return out
    t0, pages, seen, body = time.perf_counter(), 0, 0, {"UserPoolId": pool, "Limit": 60}
    while True:
        page = api.call("ListUsers", body)
        pages, seen = pages + 1, seen + len(page["Users"])
        if "PaginationToken" not in page:
            break
        body = {**body, "PaginationToken": page["PaginationToken"]}
    out["full_scan"] = {"s": time.perf_counter() - t0, "pages": pages, "users": seen}
    out["rss_mb_before_export"] = rss(server)
    snapshot = workdir / "snapshot.json"
    t0 = time.perf_counter()
    api.conn.request("GET", "/_emulator/snapshot")
    with api.conn.getresponse() as reply, snapshot.open("wb") as fh:
        while piece := reply.read(1 << 20):
            fh.write(piece)
    out["snapshot_export"] = {"s": time.perf_counter() - t0, "mb": snapshot.stat().st_size / 1e6}
    out["rss_mb"], out["rss_peak_mb"] = rss(server), rss(server, "VmHWM")
    t0 = time.perf_counter()
    status, _ = api.raw("POST", "/_emulator/reset")
    out["reset_ms"] = (time.perf_counter() - t0) * 1000
    t0 = time.perf_counter()
    with snapshot.open("rb") as fh:  # streamed back from disk
        status, data = api.raw("POST", "/_emulator/snapshot", fh, {
            "Content-Type": "application/json", "Content-Length": str(snapshot.stat().st_size)})
    if status != 200:
        raise RuntimeError(f"snapshot import: HTTP {status}: {data[:300]!r}")
    out["snapshot_import_s"] = time.perf_counter() - t0
    out["rss_peak_after_import_mb"] = rss(server, "VmHWM")
    found = api.call("ListUsers", {"UserPoolId": pool, "Filter": f'username = "{signer}"'})["Users"]
    if len(found) != 1:
        raise RuntimeError("the imported snapshot lacks a user")
    return out


def db_mb(workdir: Path) -> float:
    return sum(p.stat().st_size for p in (workdir / "emulator-0" / "data").glob("cognito.db*")) / 1e6


def rss(server: Server, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{server.pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def start_size(users: int, root: Path, reuse: Path | None) -> tuple[Server, Path, dict[str, Any]]:
    """A server holding `users` users. With `reuse`, the data and keys directories after
    the import are kept in `reuse/users-<n>` and copied from there on later runs (the
    import is then skipped; its figures are those of the run that built them)."""
    workdir = root / f"n{users}"
    workdir.mkdir()
    cmd = emulator_cmd(workdir, 0, argparse.Namespace(sqlite_synchronous=None))
    kept = reuse / f"users-{users}" if reuse else None
    if kept and (kept / "loaded.json").exists():
        for part in ("data", "keys"):
            shutil.copytree(kept / part, workdir / "emulator-0" / part)
        # The copy's dirty pages would otherwise be written back during the run, and the
        # first fsync that waits for them (reset's) would time the copy, not the emulator.
        os.sync()
        loaded = json.loads((kept / "loaded.json").read_text())
    else:
        server = start_server("emulator", cmd, "/health", workdir)
        try:
            loaded = load(Api(server.url), users, workdir)
        finally:
            if kept:
                server.stop()
        if not kept:
            return server, workdir, loaded
        shutil.rmtree(kept, ignore_errors=True)
        for part in ("data", "keys"):
            shutil.copytree(workdir / "emulator-0" / part, kept / part)
        (kept / "loaded.json").write_text(json.dumps(loaded) + "\n")
    return start_server("emulator", cmd, "/health", workdir, timeout=120), workdir, loaded


def run(sizes: list[int], samples: int, root: Path, reuse: Path | None, full: bool) -> list[dict[str, Any]]:
    """Both sizes loaded and served at once; each operation timed on them in turn."""
    servers: list[Server] = []
    try:
        started = []
        for users in sizes:
            server, workdir, loaded = start_size(users, root, reuse)
            servers.append(server)
            started.append((server, Api(server.url), users, workdir, loaded))
        plans = [calls(api, users, samples, loaded) for _, api, users, _, loaded in started]
        results: list[dict[str, Any]] = [{"users": users, "import": loaded["import"], "ops": {}}
                                         for _, _, users, _, loaded in started]
        for label in plans[0]:
            for out, figures in zip(results, timed_side_by_side(samples, [plan[label] for plan in plans]), strict=True):
                out["ops"][label] = figures
        for out, (server, api, users, workdir, loaded) in zip(results, started, strict=True):
            out.update(whole_state(server, api, users, workdir, loaded, full))
        return results
    finally:
        for server in servers:
            server.stop()


def import_only(users: int, rounds: int, root: Path) -> list[dict[str, float]]:
    """Only the import job: a fresh server per round, the figures of each round."""
    figures = []
    for r in range(rounds):
        workdir = root / f"import-{users}-{r}"
        workdir.mkdir()
        server = start_server("emulator", emulator_cmd(workdir, 0, argparse.Namespace(sqlite_synchronous=None)),
                              "/health", workdir)
        try:
            api = Api(server.url)
            pool = api.call("CreateUserPool", {"PoolName": "scale", "AutoVerifiedAttributes": ["email"]})
            cpu0, waited0 = server.cpu_s(), run_queue_s(server)
            out = import_users(api, pool["UserPool"]["Id"], users, workdir)
            out["server_cpu_s"] = server.cpu_s() - cpu0
            out["server_run_queue_s"] = run_queue_s(server) - waited0
            out["rss_peak_mb"] = rss(server, "VmHWM")
        finally:
            server.stop()
        print(f"round {r + 1}: {users:,} users in {out['import_s']:.1f} s ({out['users_per_s']:,.0f} users/s;"
              f" upload {out['upload_s']:.1f} s, server CPU {out['server_cpu_s']:.1f} s, waiting for a CPU"
              f" {out['server_run_queue_s']:.1f} s, RSS peak {out['rss_peak_mb']:.0f} MB; a DescribeUserImportJob"
              f" meanwhile p50 {out['poll_p50_ms']:.0f} ms, max {out['poll_max_ms']:.0f} ms)", flush=True)
        figures.append(out)
    if rounds > 1:
        print(f"median: {statistics.median(f['import_s'] for f in figures):.1f} s,"
              f" {statistics.median(f['users_per_s'] for f in figures):,.0f} users/s")
    return figures


def run_queue_s(server: Server) -> float:
    """Seconds the server's threads have spent ready to run but waiting for a CPU (other
    processes on the machine had it): what the wall time holds besides its own CPU and I/O."""
    total = 0
    for stat in Path(f"/proc/{server.pid}/task").glob("*/schedstat"):
        try:
            total += int(stat.read_text().split()[1])
        except (OSError, IndexError, ValueError):
            pass
    return total / 1e9


def report(small: dict[str, Any], large: dict[str, Any]) -> None:
    n1, n2 = small["users"], large["users"]
    print(f"\n{'sequential p50 (p90), ms':40} {n1:>12,} users {n2:>12,} users   ratio")
    for op in small["ops"]:
        a, b = small["ops"][op], large["ops"][op]
        print(f"{op:40} {a['p50']:8.2f} ({a['p90']:6.2f}) {b['p50']:8.2f} ({b['p90']:6.2f})   {b['p50'] / a['p50']:5.2f}x")
    for label, key in (("import job: users/s", "users_per_s"), ("import job: seconds", "import_s"),
                       ("  of which upload, s", "upload_s"), ("CSV file, MB", "csv_mb")):
        print(f"{label:40} {small['import'][key]:18,.1f} {large['import'][key]:18,.1f}")
    rows = [("full ListUsers scan, s", lambda r: r["full_scan"]["s"]),
            ("snapshot export, s", lambda r: r["snapshot_export"]["s"]),
            ("snapshot size, MB", lambda r: r["snapshot_export"]["mb"]),
            ("reset, ms", lambda r: r["reset_ms"]),
            ("snapshot import (POST), s", lambda r: r["snapshot_import_s"]), ("RSS before export, MB", lambda r: r["rss_mb_before_export"]),
            ("RSS after export, MB", lambda r: r["rss_mb"]), ("RSS peak (VmHWM), MB", lambda r: r["rss_peak_mb"]),
            ("RSS peak after snapshot import, MB", lambda r: r["rss_peak_after_import_mb"]),
            ("database on disk, MB", lambda r: r["db_mb"])]
    for label, get in rows:
        try:
            print(f"{label:40} {get(small):18,.1f} {get(large):18,.1f}")
        except KeyError:  # --calls-only
            pass


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--large", type=int, default=100_000, help="the large user count (default 100,000)")
    p.add_argument("--small", type=int, default=1_000, help="the small user count (default 1,000)")
    p.add_argument("--samples", type=int, default=200, help="calls timed per operation (default 200)")
    p.add_argument("--json", type=Path, help="also write the figures here")
    p.add_argument("--reuse-data", type=Path, metavar="DIR",
                   help="keep each size's loaded data directory in DIR and reuse it on later runs (skips the import)")
    p.add_argument("--calls-only", action="store_true",
                   help="time the per-call operations and reset only (no full scan, no snapshot export/import)")
    p.add_argument("--import-only", type=int, metavar="USERS", help="only time an import job of USERS users")
    p.add_argument("--rounds", type=int, default=1, help="import-only rounds, a fresh server each (default 1)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cognito-scale-") as tmp:
        src = precompile(Path(tmp))
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(src), os.environ.get("PYTHONPATH")]))
        if args.import_only:
            figures = import_only(args.import_only, args.rounds, Path(tmp))
            if args.json:
                args.json.write_text(json.dumps(figures, indent=2) + "\n")
            return 0
        small, large = run([args.small, args.large], args.samples, Path(tmp), args.reuse_data, not args.calls_only)
    report(small, large)
    if args.json:
        args.json.write_text(json.dumps({"small": small, "large": large}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
