"""The README stays true to the code: its action tables are the registries (one per service), its settings
table the settings object and the CLI's flags, and its two commands the ones CI runs.
(Its code examples are run by test_readme_examples.py.)"""

from __future__ import annotations

import re
from dataclasses import MISSING, fields
from pathlib import Path

import emulator.app  # noqa: F401  (registers every handler of both services)
from emulator.api import REGISTRIES
from emulator.cli import build_parser
from emulator.model import service_model
from emulator.settings import ENV_PREFIX, Settings, flag_of, shown

README = Path(__file__).resolve().parent.parent / "README.md"


# Each service's table, between its markers.
TABLES = {"cognito-idp": "actions", "cognito-identity": "identity-actions"}


def readme_actions(marker: str = "actions") -> set[str]:
    text = README.read_text()
    table = text.split(f"<!-- {marker}:start -->", 1)[1].split(f"<!-- {marker}:end -->", 1)[0]
    names: set[str] = set()
    for row in table.strip().splitlines()[2:]:
        cells = [c.strip() for c in row.strip().strip("|").split("|")]
        if len(cells) == 2:
            names.update(n.strip() for n in cells[1].split(",") if n.strip())
    return names


def test_readme_tables_list_exactly_the_registered_actions() -> None:
    assert set(TABLES) == set(REGISTRIES)
    for service, marker in TABLES.items():
        assert readme_actions(marker) == set(REGISTRIES[service]), service


def test_every_registered_action_is_a_real_action_of_its_service() -> None:
    for service, registry in REGISTRIES.items():
        assert registry and set(registry) <= set(service_model(service).operations), service


def readme_settings() -> dict[str, list[str]]:
    """The settings table's rows by environment variable: [flag, default, meaning]."""
    section = README.read_text().split("\n## Settings\n", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, list[str]] = {}
    for line in section.splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 4 and cells[1].startswith(ENV_PREFIX):
            rows[cells[1]] = [cells[0], cells[2], cells[3]]
    return rows


def documented_default(value: object) -> str | None:
    """How the table writes a default; None: a phrase in parentheses, as for "" (none)."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, Path):
        return shown(value)
    if value == "" or value == () or value is None:
        return None
    return str(value)


def test_readme_settings_table_is_the_settings_object() -> None:
    rows = readme_settings()
    settings = {ENV_PREFIX + f.name.upper(): f for f in fields(Settings)}
    assert set(rows) == set(settings)
    flags = {o for a in build_parser()._actions for o in a.option_strings} - {"-h", "--help"}
    assert {row[0] for row in rows.values()} - {"—"} == flags
    for env, f in settings.items():
        flag, default, meaning = rows[env]
        assert flag == (flag_of(f.name) if flag_of(f.name) in flags else "—"), env
        value = f.default if f.default is not MISSING else f.default_factory()  # type: ignore[misc]
        expected = documented_default(value)
        if expected is None:
            assert default.startswith("(") and default.endswith(")"), (env, default)
        else:
            assert default == expected, (env, default, expected)
        assert meaning, env


def test_readme_opens_with_the_two_commands_ci_runs() -> None:
    text = README.read_text()
    commands = re.findall(r"<!-- example: ci -->\n```sh\n(.+?)\n```", text)
    assert commands == ["./scripts/serve", "./scripts/test"]
    assert text.index("./scripts/serve") < text.index("## ")
    ci = (README.parent / ".ci" / "run").read_text()
    assert re.search(r"^COGNITO_EMULATOR_PORT=\$port \./scripts/serve ", ci, re.MULTILINE)
    assert "\n./scripts/test\n" in ci
