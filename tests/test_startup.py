"""Starting `cognito-emulator` as a user does (subprocesses of the real CLI): every mistake
is one line on stderr and exit code 2, never a traceback; one data directory, one server;
--help names the subcommands; the first line says where it listens and what it uses; the
control endpoints' calls are logged like API calls."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from emulator import settings as settings_module

from .conftest import LiveServer

CLI = [sys.executable, "-m", "emulator"]

# (flags, environment, what stderr's one line must say); every constrained setting has one.
MISTAKES = [
    (["--log-level", "loud"], {}, "--log-level loud: expected one of debug, info, warning, error"),
    ([], {"COGNITO_EMULATOR_LOG_LEVEL": "loud"}, "COGNITO_EMULATOR_LOG_LEVEL=loud: expected one of debug, info"),
    ([], {"COGNITO_EMULATOR_PORT": "xyz"}, "COGNITO_EMULATOR_PORT=xyz: expected a whole number from 0 to 65535"),
    (["--port", "70000"], {}, "--port 70000: expected a whole number from 0 to 65535"),
    (["--issuer-style", "gcp"], {}, "--issuer-style gcp: expected one of local, aws"),
    (["--bcrypt-rounds", "3"], {}, "--bcrypt-rounds 3: expected a whole number from 4 to 31"),
    ([], {"COGNITO_EMULATOR_BCRYPT_ROUNDS": "many"}, "COGNITO_EMULATOR_BCRYPT_ROUNDS=many: expected a whole number"),
    (["--sqlite-synchronous", "sometimes"], {}, "--sqlite-synchronous sometimes: expected one of FULL, NORMAL, OFF, EXTRA"),
    (["--region", "moon"], {}, "--region moon: expected a region name such as us-east-1"),
    (["--account-id", "42"], {}, "--account-id 42: expected a 12-digit account id"),
    (["--public-url", "localhost:9229"], {}, "--public-url localhost:9229: expected an http:// or https:// URL"),
    (["--sts-endpoint", "sts.local"], {}, "--sts-endpoint sts.local: expected an http:// or https:// URL"),
    (["--fixed-code", "12 34"], {}, "--fixed-code 12 34: expected a code without spaces"),
    ([], {"COGNITO_EMULATOR_SMTP_PORT": "0"}, "COGNITO_EMULATOR_SMTP_PORT=0: expected a whole number from 1 to 65535"),
    ([], {"COGNITO_EMULATOR_MAX_BODY_BYTES": "-1"}, "COGNITO_EMULATOR_MAX_BODY_BYTES=-1: expected a whole number"),
    (["--lambda-endpoint", "127.0.0.1:3001"], {}, "--lambda-endpoint 127.0.0.1:3001: expected an http:// or https:// URL"),
    ([], {"COGNITO_EMULATOR_LAMBDA_TIMEOUT_MS": "0"},
     "COGNITO_EMULATOR_LAMBDA_TIMEOUT_MS=0: expected a whole number from 1 to 900000"),
    ([], {"COGNITO_EMULATOR_DETERMINISTIC_IDS": "maybe"},
     "COGNITO_EMULATOR_DETERMINISTIC_IDS=maybe: expected 1, true, yes, on or 0, false, no, off"),
    (["--prot", "9229"], {}, "unrecognized arguments: --prot 9229 (see cognito-emulator --help)"),
    (["--port"], {}, "argument --port: expected one argument"),
    (["import"], {}, "the following arguments are required: file"),
]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COGNITO_EMULATOR_")}
    return {**env, **extra}


def assert_one_line_error(proc: subprocess.CompletedProcess[str], expected: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr)
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert proc.stderr.startswith("cognito-emulator: "), proc.stderr
    assert expected in proc.stderr, proc.stderr


def run(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*CLI, *args], cwd=cwd, env=clean_env(**env), capture_output=True,
                          text=True, timeout=60)


def test_every_constrained_setting_has_a_mistake_above() -> None:
    constrained = {*settings_module._CHOICES, *settings_module._RANGES, *settings_module._PATTERNS,
                   "deterministic_ids"}
    named = {re.split(r"[ =]", line)[0] for _, _, line in MISTAKES}
    named_settings = {n.removeprefix("--").replace("-", "_").lower().removeprefix("cognito_emulator_")
                      for n in named}
    assert constrained <= named_settings, constrained - named_settings


def test_a_bad_flag_or_variable_is_one_line_naming_it_and_what_it_takes(tmp_path: Path) -> None:
    # All at once: each run is a Python start-up, and they need not wait for each other.
    procs = [subprocess.Popen([*CLI, *args], cwd=tmp_path, env=clean_env(**env), text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for args, env, _ in MISTAKES]
    try:
        for proc, (_, _, expected) in zip(procs, MISTAKES, strict=True):
            out, err = proc.communicate(timeout=30)
            assert_one_line_error(subprocess.CompletedProcess(proc.args, proc.returncode, out, err), expected)
    finally:  # one that started a server after all must not outlive the test
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert not (tmp_path / "data").exists(), "a refused start must not touch the data directory"


def test_a_port_in_use_is_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = run(["--port", str(port)], tmp_path)
    assert_one_line_error(proc, f"127.0.0.1:{port} is already in use — is another emulator running? "
                                "Pick another with --port")


@pytest.fixture
def read_only_dir(tmp_path: Path) -> Iterator[Path]:
    """A directory nobody can write into: by its mode, or for root (whom modes do not stop)
    by the immutable attribute, where the file system has one."""
    path = tmp_path / "read-only"
    path.mkdir()
    if os.geteuid() != 0:
        path.chmod(0o500)
        yield path
        path.chmod(0o700)
        return
    chattr = shutil.which("chattr")
    if not chattr or subprocess.run([chattr, "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("running as root where chattr +i is not available: no directory root cannot write")
    try:
        yield path
    finally:
        subprocess.run([chattr, "-i", str(path)], check=True)


def test_an_unusable_data_or_keys_directory_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    assert_one_line_error(run(["--data-dir", "a-file"], tmp_path),
                          "the data directory ./a-file (--data-dir / COGNITO_EMULATOR_DATA_DIR) is a file, "
                          "not a directory")
    assert_one_line_error(run([], tmp_path, COGNITO_EMULATOR_KEYS_DIR=str(tmp_path / "a-file" / "keys")),
                          f"cannot write to the keys directory {tmp_path}/a-file/keys (--keys-dir / "
                          "COGNITO_EMULATOR_KEYS_DIR): Not a directory")


def test_a_directory_without_write_permission_is_one_line(tmp_path: Path, read_only_dir: Path) -> None:
    proc = run(["--port", "0", "--data-dir", str(read_only_dir / "data")], tmp_path)
    assert_one_line_error(proc, f"cannot write to the data directory {read_only_dir}/data (--data-dir / "
                                "COGNITO_EMULATOR_DATA_DIR): ")
    proc = run(["--port", "0", "--keys-dir", str(read_only_dir)], tmp_path)
    assert_one_line_error(proc, f"cannot write to the keys directory {read_only_dir} (--keys-dir / ")


def test_help_lists_the_subcommands(tmp_path: Path) -> None:
    proc = run(["--help"], tmp_path)
    assert proc.returncode == 0
    assert "cognito-emulator export [FILE]" in proc.stdout
    assert "cognito-emulator import FILE" in proc.stdout


def start(cwd: Path, *args: str) -> tuple[subprocess.Popen[str], str, str]:
    """A CLI server on a free port: the process, its URL and its first log line."""
    proc = subprocess.Popen([*CLI, "--port", "0", *args], cwd=cwd, env=clean_env(), text=True,
                            stderr=subprocess.PIPE)
    assert proc.stderr is not None
    first = proc.stderr.readline()
    match = re.search(r"listening on (http://127\.0\.0\.1:\d+) ", first)
    if not match:
        proc.kill()
        proc.wait()
        raise AssertionError(f"no 'listening on' line: {first!r}")
    return proc, match.group(1), first


def test_one_data_directory_one_server(tmp_path: Path) -> None:
    first, url, line = start(tmp_path)
    try:
        assert line.rstrip().endswith(f"cognito-emulator listening on {url} (data in ./data, keys in ./keys)")
        # Its control endpoints log like the API does: method, path, outcome, milliseconds.
        assert httpx.get(f"{url}/_emulator/messages").status_code == 200
        assert re.search(r"emulator\.control: GET /_emulator/messages ok \d+\.\d+ms$", first.stderr.readline())
        assert httpx.get(f"{url}/_emulator/messages?colour=red").status_code == 400
        assert re.search(r"emulator\.control: GET /_emulator/messages 400: Unknown filter\(s\): colour; .* "
                         r"\d+\.\d+ms$", first.stderr.readline())

        held = f"the data directory ./data is in use by another cognito-emulator (PID {first.pid})"
        assert_one_line_error(run(["--port", "0"], tmp_path), f"{held}: stop it, or give this one another --data-dir")
        for command in (["export", "snap.json"], ["import", "snap.json"]):
            assert_one_line_error(run(command, tmp_path), f"{held}: stop it first, or use GET / POST /_emulator/snapshot")
        assert not (tmp_path / "snap.json").exists()
    finally:
        first.send_signal(signal.SIGKILL)  # no clean shutdown: the lock must not outlive it
        first.wait(timeout=30)
    second, url, _ = start(tmp_path)
    try:
        assert httpx.get(f"{url}/health").status_code == 200
    finally:
        second.terminate()
        second.wait(timeout=30)
    assert run(["export", "snap.json"], tmp_path).returncode == 0


def test_the_in_process_server_holds_its_data_directory(own_server: LiveServer, tmp_path: Path) -> None:
    proc = run(["export", "--data-dir", str(own_server.data_dir), "--keys-dir", str(own_server.keys_dir)], tmp_path)
    assert_one_line_error(proc, f"is in use by another cognito-emulator (PID {os.getpid()})")
    own_server.restart()  # it lets go when it stops, and takes it again
    assert httpx.get(f"{own_server.url}/health").status_code == 200
