"""The README stays true to the code: its action table is the registry."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import emulator.actions  # noqa: F401  (registers every handler)
from emulator.api import ACTIONS
from emulator.model import service_model

README = Path(__file__).resolve().parent.parent / "README.md"


def readme_actions() -> set[str]:
    text = README.read_text()
    table = text.split("<!-- actions:start -->", 1)[1].split("<!-- actions:end -->", 1)[0]
    names: set[str] = set()
    for row in table.strip().splitlines()[2:]:
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) == 2:
            names.update(n.strip() for n in cells[1].split(",") if n.strip())
    return names


def test_readme_table_lists_exactly_the_registered_actions() -> None:
    assert readme_actions() == set(ACTIONS)


def test_every_registered_action_is_a_real_cognito_action() -> None:
    assert set(ACTIONS) <= set(service_model().operations)


def test_readme_opens_with_the_two_commands() -> None:
    commands = re.findall(r"^    (\S.+)$", README.read_text(), re.MULTILINE)[:2]
    assert commands == ["python -m pip install . && python -m emulator", "./scripts/test"]
    ci = (README.parent / ".ci" / "run").read_text()
    assert "\n./scripts/test\n" in ci


def readme_settings() -> dict[str, str]:
    """The settings table: environment variable -> flag cell."""
    text = README.read_text().split("## Settings", 1)[1].split("\n## ", 1)[0]
    rows = [[c.strip() for c in line.strip().strip("|").split("|")]
            for line in text.splitlines() if line.startswith("| ")][1:]
    return {row[1].strip("`"): row[0].strip("`") for row in rows}


def test_readme_settings_table_lists_every_setting_and_flag(capsys: pytest.CaptureFixture[str]) -> None:
    from dataclasses import fields

    from emulator.cli import parse_args
    from emulator.settings import ENV_PREFIX, Settings

    table = readme_settings()
    assert set(table) == {ENV_PREFIX + f.name.upper() for f in fields(Settings)}
    with pytest.raises(SystemExit):
        parse_args(["--help"])
    cli_flags = set(re.findall(r"^  (--[a-z-]+)", capsys.readouterr().out, re.MULTILINE)) - {"--help"}
    assert {flag for flag in table.values() if flag != "—"} == cli_flags
