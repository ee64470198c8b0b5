"""Help, typo suggestions, shell completion and docs/cli.md, against the real parsers."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from dbshift.cli.commands import COMMANDS
from dbshift.cli.commands.completion import collect
from dbshift.config import _KEYS
from tests.conftest import Project, dbshift_executable

DOCS = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def _section(text: str, command: str) -> str:
    match = re.search(rf"^### `dbshift {command}`\n(.*?)(?=^### |\Z)", text, re.M | re.S)
    assert match, f"docs/cli.md has no '### `dbshift {command}`' section"
    return match.group(1)


@pytest.mark.parametrize("command", collect(), ids=lambda c: c.name)
def test_every_command_and_its_options_are_in_docs_cli_md(command: object) -> None:
    from dbshift.cli.commands.completion import Command

    assert isinstance(command, Command)
    section = _section(DOCS.read_text(encoding="utf-8"), command.name)
    for owner in command.actions or (command,):
        for option in owner.options:
            if option.hidden:
                continue
            long = next(f for f in option.flags if f.startswith("--"))
            assert f"`{long}`" in section, f"{command.name}: {long} is not documented"


def test_docs_cover_every_command_in_commands() -> None:
    text = DOCS.read_text(encoding="utf-8")
    documented = re.findall(r"^### `dbshift (\S+)`$", text, re.M)
    assert set(COMMANDS) <= set(documented), set(COMMANDS) - set(documented)


def test_docs_cover_every_config_key_and_exit_code() -> None:
    text = DOCS.read_text(encoding="utf-8")
    config = text.split("## Configuration file", 1)[1].split("\n## ", 1)[0]
    for key in [*_KEYS, "environments"]:
        assert f"| `{key}` |" in config, key
    codes = text.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    for code in ("0", "1", "2", "3", "130"):
        assert f"| {code} |" in codes


@pytest.mark.parametrize("name", list(COMMANDS))
def test_each_command_help_ends_with_examples(tmp_path: Path, name: str) -> None:
    result = Project(tmp_path, "").run(name, "--help", url=False)
    assert result.code == 0, result.err
    tail = result.out.rsplit("examples:\n", 1)
    assert len(tail) == 2, result.out
    examples = [line.strip() for line in tail[1].splitlines() if line.strip()]
    assert 2 <= len(examples) <= 3 and all("dbshift " in e for e in examples)


def test_help_lists_only_the_options_that_apply(tmp_path: Path) -> None:
    project = Project(tmp_path, "")
    new = project.run("new", "--help", url=False).out
    assert "--dir" in new and "--python" in new
    for unused in ("--lock-timeout", "--history-table", "--url", "--connect-timeout"):
        assert unused not in new
    migrate = project.run("migrate", "--help", url=False).out
    assert "--lock-timeout" in migrate and "--url" in migrate
    # Still accepted, so scripts passing --url to every command keep working.
    assert project.run("new", "x", "--url", "sqlite:///a.db", url=False).code == 0


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("migrat", "migrate"), ("statsu", "status"), ("rolback", "rollback"), ("hsitory", "history")],
)
def test_typo_suggests_the_nearest_command(tmp_path: Path, typed: str, meant: str) -> None:
    result = Project(tmp_path, "").run(typed, url=False)
    assert result.code == 2
    assert f"invalid choice: '{typed}': did you mean '{meant}'?" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_typo_in_a_choice_and_an_online_action(tmp_path: Path) -> None:
    project = Project(tmp_path, "")
    assert "did you mean 'json'?" in project.run("status", "--format", "jsno", url=False).err
    assert "did you mean 'complete'?" in project.run("online", "complet", url=False).err
    far = project.run("frobnicate", url=False)
    assert "did you mean" not in far.err and "choose from" in far.err


def _bash_complete(script: str, *words: str) -> list[str]:
    program = (
        f"{script}\nCOMP_WORDS=({' '.join(repr(w) for w in words)}); "
        "COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); _dbshift; printf '%s\\n' \"${COMPREPLY[@]}\""
    )
    result = subprocess.run(["bash", "-c", program], capture_output=True, text=True, check=True)
    return [line for line in result.stdout.splitlines() if line]


def test_bash_completion_completes_commands_options_and_choices(tmp_path: Path) -> None:
    script = Project(tmp_path, "").run("completion", "bash", url=False).out
    assert _bash_complete(script, "dbshift", "mig") == ["migrate"]
    assert _bash_complete(script, "dbshift", "--env", "prod", "st") == ["status"]
    assert _bash_complete(script, "dbshift", "migrate", "--dry") == ["--dry-run"]
    assert _bash_complete(script, "dbshift", "lint", "--format", "") == [
        "text",
        "json",
        "github",
        "sarif",
    ]
    assert "pause" in _bash_complete(script, "dbshift", "online", "")
    assert _bash_complete(script, "dbshift", "online", "start", "--batch") == ["--batch-size"]
    assert _bash_complete(script, "dbshift", "completion", "") == ["bash", "zsh", "fish"]
    assert "--lock-timeout" not in _bash_complete(script, "dbshift", "new", "--")


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_scripts(tmp_path: Path, shell: str) -> None:
    result = Project(tmp_path, "").run("completion", shell, url=False)
    assert result.code == 0
    for name in COMMANDS:
        assert name in result.out
    if shell == "fish":
        assert "-n '__fish_seen_subcommand_from lint' -l format -x -a 'text json github sarif'" in (
            result.out
        )
    binary = shutil.which(shell)
    if binary is not None:  # syntax check where the shell is installed
        check = ["-n"] if shell == "zsh" else ["--no-execute"]
        script = tmp_path / f"dbshift.{shell}"
        script.write_text(result.out)
        assert subprocess.run([binary, *check, str(script)]).returncode == 0


def test_completion_is_a_standalone_command(tmp_path: Path) -> None:
    result = subprocess.run(
        [*dbshift_executable(), "completion", "nushell"], capture_output=True, text=True
    )
    assert result.returncode == 2 and "invalid choice: 'nushell'" in result.stderr
