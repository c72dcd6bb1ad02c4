"""The command's frame: German help and errors, documented options and exit codes."""

from __future__ import annotations

import inspect
import re

import click
from click.testing import CliRunner

from pipelines import cli_german
from pipelines.cli import main


def test_every_translated_click_text_exists_in_the_installed_click():
    """A click upgrade that rewords a text must fail here, not silently fall back to English."""
    import importlib

    source = "".join(
        inspect.getsource(importlib.import_module(f"click.{m}")) for m in cli_german.MODULES
    )
    for text in cli_german.GERMAN:
        assert repr(text)[1:-1] in source or text in source, text
    for singular, plural in cli_german.GERMAN_PLURAL:
        assert singular in source and plural in source, singular


def test_help_is_german_and_documents_every_option_and_exit_code():
    runner = CliRunner()
    top = runner.invoke(main, prog_name="sozialmonitor", args=["--help"])
    assert top.exit_code == 0
    assert top.output.startswith("Aufruf: sozialmonitor [OPTIONEN] BEFEHL [ARGUMENTE]...")
    assert "Optionen:" in top.output and "Befehle:" in top.output
    assert "Diese Hilfe anzeigen und beenden." in top.output and "2  falscher Aufruf" in top.output
    for english in ("Usage:", "Options:", "Commands:", "Show this message", "[default"):
        assert english not in top.output
    run = runner.invoke(main, prog_name="sozialmonitor", args=["run", "--help"]).output
    assert "SOZIALMONITOR_PSEUDONYM_KEY" in run
    assert re.search(r"^\s+2\s+falscher Aufruf", run, re.M)
    for command in main.commands.values():
        for param in command.params:
            if isinstance(param, click.Option) and param.name != "help":
                assert param.help, f"{command.name} {param.opts[0]}: keine Hilfe"


def test_usage_errors_are_german_with_exit_code_2():
    runner = CliRunner()
    unknown = runner.invoke(main, prog_name="sozialmonitor", args=["run", "--gibtsnicht"])
    assert unknown.exit_code == 2
    assert "Fehler: Unbekannte Option '--gibtsnicht'." in unknown.output
    assert "Aufruf: sozialmonitor run [OPTIONEN]" in unknown.output
    bad = runner.invoke(
        main, prog_name="sozialmonitor", args=["generate", "--scale", "riesig", "--out", "x"]
    )
    assert bad.exit_code == 2 and "Ungültiger Wert für '--scale'" in bad.output
    missing = runner.invoke(main, prog_name="sozialmonitor", args=["explain", "sgb2_quote"])
    assert missing.exit_code == 2 and "Argument fehlt 'GEBIET'" in missing.output
