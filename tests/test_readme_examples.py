"""Every code block of README.md a reader is meant to run, run, so the README cannot drift
from the code. Each block carries a marker on the line before its fence,
`<!-- example: KIND -->`:

    python        a script, run by this Python against a live server; a line
                  `print(...)  # text` says what it prints
    shell         bash (-eu), run against a live server, this environment's tools on PATH
    node          an ES module, run by Node from tests/js, where its npm packages are
    seed          the seed file: the live server the examples run against starts with it,
                  and each confirmed user signs in through each client that lets it
    pytest        a test file, run by a pytest of its own with only the installed plugin
    compose       a docker-compose file: its emulator service started here as the CLI with
                  the file's command, environment and seed file, and its app played by
                  .ci/compose_app.py (.ci/docker-smoke brings the file itself up with Docker)
    docker        docker commands, held to the Dockerfile (.ci/docker-smoke builds and runs it)
    ci            commands .ci/run runs exactly as printed
    illustrative  a shape (a response, log lines, a URL): nothing to run

One change is made to a block before it runs: the README's address,
http://127.0.0.1:9229, becomes the live server's. The examples share one server, started
as a user starts it (`python -m emulator --seed seed.json`, on a free port)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
import pytest
import yaml

from .conftest import make_client

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
ADDRESS = "http://127.0.0.1:9229"
KINDS = {"python", "shell", "node", "seed", "pytest", "compose", "docker", "ci", "illustrative"}


@dataclass(frozen=True)
class Block:
    kind: str
    lang: str
    text: str
    line: int


def readme_blocks() -> list[Block]:
    lines = README.read_text().splitlines()
    blocks, i = [], 0
    while i < len(lines):
        fence = re.fullmatch(r"```(\S*)", lines[i])
        if fence:
            end = lines.index("```", i + 1)
            marker = re.fullmatch(r"<!-- example: (\S+) -->", lines[i - 1].strip()) if i else None
            blocks.append(Block(marker.group(1) if marker else "", fence.group(1),
                                "\n".join(lines[i + 1:end]) + "\n", i + 1))
            i = end
        i += 1
    return blocks


BLOCKS = readme_blocks()


def of_kind(kind: str) -> list[Any]:
    return [pytest.param(b, id=f"line{b.line}") for b in BLOCKS if b.kind == kind]


def the_one(kind: str) -> Block:
    found = [b for b in BLOCKS if b.kind == kind]
    assert len(found) == 1, f"the README has {len(found)} '{kind}' blocks; the tests expect one"
    return found[0]


def clean_env(**extra: str) -> dict[str, str]:
    """Nothing from the developer's AWS or emulator setup: what the example sets is all."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "COGNITO_EMULATOR_"))}
    env.update(AWS_CONFIG_FILE="/nonexistent/aws-config", AWS_SHARED_CREDENTIALS_FILE="/nonexistent/aws-creds",
               AWS_EC2_METADATA_DISABLED="true", PATH=f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}")
    return {**env, **extra}


def start_cli(cwd: Path, *args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    """`python -m emulator ARGS --port 0` as a user runs it; its URL from the first line."""
    proc = subprocess.Popen([sys.executable, "-m", "emulator", *args, "--port", "0"], cwd=cwd,
                            env=env or clean_env(), stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    lines = []
    for line in proc.stderr:
        lines.append(line)
        found = re.search(r"listening on (http://127\.0\.0\.1:\d+) ", line)
        if found:
            threading.Thread(target=proc.stderr.read, daemon=True).start()  # keep the pipe drained
            return proc, found.group(1)
    proc.wait(timeout=30)
    raise AssertionError(f"the server did not start: {''.join(lines)}")


def stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def readme_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The server every example runs against: the CLI with the README's seed file."""
    home = tmp_path_factory.mktemp("readme")
    (home / "seed.json").write_text(the_one("seed").text)
    proc, url = start_cli(home, "--seed", "seed.json")
    yield url
    stop(proc)


# -- the README's shape ----------------------------------------------------------------


def test_every_code_block_says_how_it_is_run() -> None:
    unmarked = [(b.line, b.kind) for b in BLOCKS if b.kind not in KINDS]
    assert not unmarked, f"code blocks without a known <!-- example: KIND --> marker: {unmarked}"
    for kind in KINDS - {"illustrative"}:
        assert any(b.kind == kind for b in BLOCKS), kind


def test_no_indented_code_blocks() -> None:
    """Code goes in marked fences only, so that none escapes the tests above."""
    lines = README.read_text().splitlines()
    inside, indented = False, []
    for n, line in enumerate(lines):
        if line.startswith("```"):
            inside = not inside
        elif not inside and line.startswith("    ") and n and not lines[n - 1].strip():
            indented.append(n + 1)
    assert not indented, f"indented code blocks at lines {indented}"


# -- the runners -----------------------------------------------------------------------


@pytest.mark.parametrize("block", of_kind("python"))
def test_python_example(block: Block, readme_server: str) -> None:
    done = subprocess.run([sys.executable, "-c", block.text.replace(ADDRESS, readme_server)],
                          env=clean_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    printed = re.findall(r"^\s*print\(.*\)\s+# (.+)$", block.text, re.MULTILINE)
    if printed:
        assert done.stdout.splitlines() == printed


@pytest.mark.parametrize("block", of_kind("shell"))
def test_shell_example(block: Block, readme_server: str, tmp_path: Path) -> None:
    done = subprocess.run(["bash", "-euo", "pipefail", "-c", block.text.replace(ADDRESS, readme_server)],
                          cwd=tmp_path, env=clean_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip(), "the example printed nothing"


@pytest.mark.parametrize("block", of_kind("node"))
def test_node_example(block: Block, readme_server: str, node_clients: Path) -> None:
    script = node_clients / f".readme-line{block.line}.mjs"  # here, so its imports resolve
    script.write_text(block.text.replace(ADDRESS, readme_server))
    try:
        done = subprocess.run(["node", str(script)], env=clean_env(), capture_output=True, text=True,
                              timeout=120)
    finally:
        script.unlink()
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip(), "the example printed nothing"


def secret_hash(secret: str, username: str, client_id: str) -> str:
    digest = hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def test_the_seed_file_starts_and_its_users_sign_in(readme_server: str) -> None:
    seed = json.loads(the_one("seed").text)
    cognito = make_client(readme_server)
    signed_in = 0
    for pool in seed["userPools"]:
        pool_id = pool["id"]
        users = [u for u in pool["users"] if u.get("status", "CONFIRMED") == "CONFIRMED" and u.get("enabled", True)]
        for client in pool["clients"]:
            flows = client.get("config", {}).get("ExplicitAuthFlows", [])
            for user in users:
                params = {"USERNAME": user["username"], "PASSWORD": user["password"]}
                if client.get("secret"):
                    params["SECRET_HASH"] = secret_hash(client["secret"], user["username"], client["id"])
                if "ALLOW_USER_PASSWORD_AUTH" in flows:
                    reply = cognito.initiate_auth(ClientId=client["id"], AuthFlow="USER_PASSWORD_AUTH",
                                                  AuthParameters=params)
                elif "ALLOW_ADMIN_USER_PASSWORD_AUTH" in flows:
                    reply = cognito.admin_initiate_auth(UserPoolId=pool_id, ClientId=client["id"],
                                                        AuthFlow="ADMIN_USER_PASSWORD_AUTH", AuthParameters=params)
                else:
                    continue
                token = reply["AuthenticationResult"]["IdToken"]
                keys = jwt.PyJWKClient(f"{readme_server}/{pool_id}/.well-known/jwks.json")
                claims = jwt.decode(token, keys.get_signing_key_from_jwt(token).key, algorithms=["RS256"],
                                    audience=client["id"], issuer=f"{readme_server}/{pool_id}")
                assert claims["cognito:groups"] == user.get("groups", []) or not user.get("groups")
                assert {k: claims[k] for k in user.get("attributes", {}) if k != "email_verified"} == {
                    k: v for k, v in user["attributes"].items() if k != "email_verified"}
                signed_in += 1
    assert signed_in >= 2, "the seed file should show a public and a secret client at work"


@pytest.mark.parametrize("block", of_kind("pytest"))
def test_pytest_example(block: Block, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_readme_example=block.text)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=len(re.findall(r"^def test_", block.text, re.MULTILINE)))


def compose_services() -> dict[str, Any]:
    return dict(yaml.safe_load(the_one("compose").text)["services"])


def test_compose_example(tmp_path: Path) -> None:
    """The emulator service as the compose file runs it (its command, environment and seed
    file; a free loopback port and local directories instead of the image's), and the app's
    part played by .ci/compose_app.py with the app's environment."""
    services = compose_services()
    emulator = next(s for s in services.values() if s.get("image") == "cognito-emulator")
    app = next(s for s in services.values() if s is not emulator)
    mounts = dict(v.split(":")[:2] for v in emulator["volumes"] if v.startswith("./"))
    for source in mounts:
        assert source == "./seed.json", f"the compose file mounts {source}, which the README does not give"
        (tmp_path / "seed.json").write_text(the_one("seed").text)
    args = [str(tmp_path / "seed.json") if a == mounts.get("./seed.json") else a for a in emulator["command"]]
    env = clean_env(**{k: str(v) for k, v in emulator["environment"].items()})
    proc, url = start_cli(tmp_path, *args, "--host", "127.0.0.1", "--data-dir", "d", "--keys-dir", "k", env=env)
    try:
        service_url = emulator["environment"]["COGNITO_EMULATOR_PUBLIC_URL"]
        app_env = clean_env(**{k: str(v).replace(service_url, url) if k.startswith("AWS_ENDPOINT_URL") else str(v)
                               for k, v in app["environment"].items()})
        assert app_env["COGNITO_ISSUER"].startswith(service_url + "/"), "one issuer: the public URL's"
        done = subprocess.run([sys.executable, str(ROOT / ".ci" / "compose_app.py"), str(tmp_path / "seed.json")],
                              env=app_env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
    finally:
        stop(proc)


def test_docker_example_matches_the_dockerfile_and_the_compose_file() -> None:
    block = the_one("docker")
    dockerfile = (ROOT / "Dockerfile").read_text()
    volumes = set(json.loads(re.search(r"^VOLUME (\[.*\])$", dockerfile, re.MULTILINE).group(1)))  # type: ignore[union-attr]
    exposed = re.search(r"^EXPOSE (\d+)$", dockerfile, re.MULTILINE).group(1)  # type: ignore[union-attr]
    assert set(re.findall(r"-v \S+:(/\S+)", block.text)) == volumes
    assert re.findall(r"-p \d+:(\d+)", block.text) == [exposed]
    tag = re.search(r"docker build -t (\S+) \.", block.text).group(1)  # type: ignore[union-attr]
    emulator = next(s for s in compose_services().values() if "command" in s)
    assert emulator["image"] == tag
    assert {v.split(":")[1] for v in emulator["volumes"] if not v.startswith("./")} == volumes


@pytest.mark.parametrize("block", of_kind("ci"))
def test_ci_runs_the_command_as_printed(block: Block) -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    for command in block.text.strip().splitlines():
        assert re.search(rf"^(\w+=\S+ )*{re.escape(command)}( |$)", ci, re.MULTILINE), command
