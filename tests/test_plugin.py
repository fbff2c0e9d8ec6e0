"""The pytest plugin, proven the way a user meets it: a separate pytest run of a small
project (tests/plugin_project) that uses only the plugin's fixtures."""

from __future__ import annotations

import shutil
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
