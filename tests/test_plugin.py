"""The pytest plugin, proven the way a user meets it: a separate pytest run of a small
project (tests/plugin_project) that uses only the plugin's fixtures."""

from __future__ import annotations

import re
import shutil
import tomllib
from pathlib import Path

import pytest

PROJECT = Path(__file__).parent / "plugin_project"


def test_a_project_using_only_the_plugin_passes(pytester: pytest.Pytester) -> None:
    for source in PROJECT.glob("*.py"):
        shutil.copy(source, pytester.path / source.name)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=4)


def test_the_plugin_is_registered_by_entry_point(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_probe="def test_probe(cognito_emulator):\n    assert cognito_emulator.endpoint_url\n")
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_the_pytest_extra_brings_pytest_and_boto3() -> None:
    project = tomllib.loads((PROJECT.parent.parent / "pyproject.toml").read_text())["project"]
    names = {re.split(r"[<>=!~\[; ]", dep, maxsplit=1)[0].lower()
             for dep in project["optional-dependencies"]["pytest"]}
    assert names == {"pytest", "boto3"}


def test_without_boto3_the_client_fails_in_one_sentence(pytester: pytest.Pytester) -> None:
    pytester.makeconftest("import sys\n\nsys.modules['boto3'] = None  # as if it were not installed\n")
    pytester.makepyfile(test_probe="def test_probe(cognito):\n    cognito.client.list_user_pools(MaxResults=1)\n")
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    output = result.stdout.str()
    assert ('\nA boto3 client needs boto3, which is not installed: pip install "cognito-emulator[pytest]" '
            "brings it (and pytest).\n") in output, output
    assert output.count("needs boto3") == 2, output  # the failure and its summary line
    assert "emulator/testing.py" not in output and "Traceback" not in output, output
