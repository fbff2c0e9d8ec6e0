"""DNS rebinding: a page on attacker.example that rebinds its name to 127.0.0.1 talks to
the emulator as its own origin, so the Origin check cannot stop it; the Host it sends
can. The /_emulator/* endpoints answer only for loopback hosts, the --public-url host
and the hosts named in --control-hosts; every other endpoint answers any Host."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from emulator.settings import Settings

from .conftest import start_server


def control_calls(url: str, host: str) -> list[httpx.Response]:
    headers = {"Host": host}
    return [
        httpx.get(f"{url}/_emulator/messages", headers=headers),
        httpx.delete(f"{url}/_emulator/messages", headers=headers),
        httpx.get(f"{url}/_emulator/snapshot", headers=headers),
        httpx.post(f"{url}/_emulator/snapshot", content=b"{}",
                   headers={**headers, "Content-Type": "application/json"}),
        httpx.post(f"{url}/_emulator/reset", headers=headers),
    ]


def refused(url: str, host: str) -> None:
    for resp in control_calls(url, host):
        assert resp.status_code == 403, (host, resp.request.method, resp.request.url, resp.text)
        message = resp.json()["message"]
        assert "--control-hosts" in message and "COGNITO_EMULATOR_CONTROL_HOSTS" in message, message


def answered(url: str, host: str) -> None:
    resp = httpx.get(f"{url}/_emulator/messages", headers={"Host": host})
    assert resp.status_code == 200, (host, resp.text)
    assert httpx.get(f"{url}/_emulator/snapshot", headers={"Host": host}).status_code == 200, host


REBOUND = ["attacker.example", "attacker.example:9229", "127.0.0.1.attacker.example",
           "localhost.attacker.example", "evil-localhost", "localhost@attacker.example", "0.0.0.0",
           "[::ffff:7f00:1].attacker.example", "10.0.0.1", "[2001:db8::1]:9229", "", "cognito"]
LOOPBACK = ["localhost", "localhost:9229", "LOCALHOST", "localhost.", "app.localhost:3000",
            "auth.us-east-1.localhost", "127.0.0.1", "127.0.0.1:9229", "127.1.2.3:80", "[::1]", "[::1]:9229"]


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Any:
    live = start_server(tmp_path_factory.mktemp("hosts"), public_url="http://cognito.internal:9229")
    yield live
    live.stop()


@pytest.mark.parametrize("host", REBOUND)
def test_control_endpoints_refuse_other_hosts(guarded: Any, host: str) -> None:
    refused(guarded.url, host)


@pytest.mark.parametrize("host", LOOPBACK + ["cognito.internal:9229", "COGNITO.INTERNAL"])
def test_control_endpoints_answer_loopback_and_the_public_url_host(guarded: Any, host: str) -> None:
    answered(guarded.url, host)


def test_a_refused_host_changes_nothing(guarded: Any) -> None:
    cognito = guarded.client()
    pool = cognito.create_user_pool(PoolName="kept")["UserPool"]["Id"]
    refused(guarded.url, "attacker.example")
    assert pool in {p["Id"] for p in cognito.list_user_pools(MaxResults=60)["UserPools"]}


def test_other_endpoints_answer_any_host(guarded: Any) -> None:
    assert httpx.get(f"{guarded.url}/health", headers={"Host": "cognito"}).status_code == 200
    resp = httpx.post(f"{guarded.url}/", content=json.dumps({"MaxResults": 1}), headers={
        "Host": "cognito", "X-Amz-Target": "AWSCognitoIdentityProviderService.ListUserPools",
        "Content-Type": "application/x-amz-json-1.1"})
    assert resp.status_code == 200, resp.text


def test_control_hosts_names_compose_services(tmp_path: Path) -> None:
    live = start_server(tmp_path, control_hosts="cognito, Auth.Test")
    try:
        answered(live.url, "cognito:9229")
        answered(live.url, "auth.test")
        answered(live.url, "localhost")
        refused(live.url, "cognito.attacker.example")
        refused(live.url, "attacker.example")
    finally:
        live.stop()


def test_control_hosts_star_answers_every_host(tmp_path: Path) -> None:
    live = start_server(tmp_path, control_hosts="*")
    try:
        answered(live.url, "attacker.example")
    finally:
        live.stop()


def test_control_hosts_is_a_setting_flag_and_variable() -> None:
    from emulator.cli import parse_args

    assert parse_args(["--control-hosts", "cognito,auth"]).control_hosts == "cognito,auth"
    settings = Settings.from_env({"COGNITO_EMULATOR_CONTROL_HOSTS": "cognito"})
    assert settings.control_hosts == "cognito"
