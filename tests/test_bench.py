"""The benchmark script still runs end to end (a tiny load, no moto). It checks that
every operation completed without errors and that figures came out; it asserts no
timing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_runs_every_operation_without_errors(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench.py"), "--users", "30", "--requests", "20", "--duration", "5",
         "--cold-starts", "1", "--no-moto", "--json", str(out)],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    results = json.loads(out.read_text())
    ops = results["emulator"]["ops"]
    assert set(ops) >= {"SignUp+AdminConfirmSignUp", "InitiateAuth USER_PASSWORD_AUTH", "GetUser",
                        "GET jwks.json", "ListUsers page (Limit 60)"}
    for name, op in ops.items():
        assert op["errors"] == 0, (name, op["first_error"])
        assert op["ops"] > 0 and op["ops_per_s"] > 0, name
    assert results["emulator"]["password_check"] == "refused"
    assert results["emulator"]["rss_mb_after_load"] > 0 and results["emulator"]["cold_start_s"]
    assert set(results["crypto_floor_ms"]) == {"bcrypt check", "bcrypt hash", "RS256 signature", "SRP verifier"}
    assert "InitiateAuth USER_PASSWORD_AUTH: 1 bcrypt check + 2 RS256 signature" in proc.stdout
