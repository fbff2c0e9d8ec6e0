"""The benchmark script still runs end to end (a tiny load, no moto). It checks that
every operation completed without errors, at concurrency and by the one sequential
client, and that figures and the table's columns came out; it asserts no timing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OPS = {"seed (AdminCreateUser)", "SignUp+AdminConfirmSignUp", "InitiateAuth USER_PASSWORD_AUTH",
       "SRP sign-in (2 calls)", "GetUser", "GET jwks.json", "ListUsers page (Limit 60)",
       "Sign-in + PreTokenGeneration"}


def test_bench_runs_every_operation_without_errors(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    proc = run_bench(["--users", "30", "--requests", "20", "--duration", "5", "--seq-requests", "5",
                      "--cold-starts", "1", "--no-moto", "--json", str(out)])
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = json.loads(out.read_text())
    emulator = results["emulator"]
    assert set(emulator["ops"]) == OPS and set(emulator["sequential"]) == OPS
    for phase in ("ops", "sequential"):
        for name, op in emulator[phase].items():
            assert op["errors"] == 0, (phase, name, op["first_error"])
            assert op["ops"] > 0 and op["ops_per_s"] > 0 and op["p50_ms"] > 0, (phase, name)
    # Bounded by --seq-requests; the seeded users the sequential client adds are walked too.
    assert all(op["ops"] <= 5 for op in emulator["sequential"].values())
    walk = emulator["ops"]["ListUsers page (Limit 60)"]["extra"]
    assert walk["walk_users"] == 30 + emulator["sequential"]["seed (AdminCreateUser)"]["ops"]
    assert emulator["password_check"] == "refused"
    assert "trigger_cpu_ms_per_sign_in" in emulator and "a PreTokenGeneration handler" in proc.stdout
    assert emulator["rss_mb_after_load"] > 0 and emulator["cold_start_s"]
    assert set(results["crypto_floor_ms"]) == {"bcrypt check", "bcrypt hash", "RS256 signature", "SRP verifier"}

    lines = proc.stdout.splitlines()
    header = next(line for line in lines if line.startswith("operation"))
    assert header.split() == ["operation", "ops/s", "p50", "p99", "cpu/op", "seq", "p50", "seq", "p99"]
    for name in OPS:
        row = next(line for line in lines if line.startswith(name + " "))
        assert len(row[32:].split()) == 6, row  # four figures at concurrency, two sequential
    assert "one client calling back to back" in proc.stdout
    assert "InitiateAuth USER_PASSWORD_AUTH: 1 bcrypt check + 2 RS256 signature" in proc.stdout


def run_bench(args: list[str], timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """bench.py, stopped with SIGTERM if it overruns: it then stops the servers it started
    (a SIGKILL, as subprocess.run's timeout sends, would leave them running)."""
    cmd = [sys.executable, str(ROOT / "bench" / "bench.py"), *args]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT) as bench:
        try:
            stdout, stderr = bench.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            bench.terminate()
            stdout, stderr = bench.communicate(timeout=30)
            raise AssertionError(f"bench.py took over {timeout} s:\n{stderr[-2000:]}") from None
    return subprocess.CompletedProcess(cmd, bench.returncode, stdout, stderr)


def test_bench_ab_of_tracking_off_sign_ins_runs(tmp_path: Path) -> None:
    """--ab-base: this tree against another checkout (here: itself), interleaved rounds."""
    out = tmp_path / "ab.json"
    proc = run_bench(["--ab-base", str(ROOT), "--ab-rounds", "2", "--requests", "6", "--duration", "3",
                      "--seq-requests", "3", "--seq-duration", "2", "--json", str(out)])
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = json.loads(out.read_text())
    assert len(results["rounds"]) == 2
    for row in results["rounds"]:
        assert {key.split("|")[0] for key in row} == {"this", "base"}
        assert {key.split("|")[1] for key in row} == {"InitiateAuth USER_PASSWORD_AUTH", "SRP sign-in (2 calls)"}
        for key, op in row.items():
            assert op["errors"] == 0 and op["ops"] > 0, (key, op["first_error"])
    assert "A/B, device and session tracking off" in proc.stdout and "this/base" in proc.stdout
