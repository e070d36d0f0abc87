"""Shared fixtures: paths, the in-process `cli` runner, and a skip with a reason where LibreOffice is missing."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample.xlsx"

# rich reads COLUMNS once, when the CLI's consoles are made at import: a width inherited from the
# shell, or the COLUMNS=80 a pytest-xdist worker starts with, would fix every table at that width
# before a test can widen it (monkeypatch.setenv("COLUMNS", ...) works only when this is unset).
for _size in ("COLUMNS", "LINES"):
    os.environ.pop(_size, None)


def soffice_available() -> bool:
    return bool(shutil.which("soffice") or shutil.which("libreoffice"))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if soffice_available():
        return
    skip = pytest.mark.skip(reason="LibreOffice (soffice) がないため PDF のテストを省略")
    for item in items:
        if "soffice" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def sample_path() -> Path:
    return SAMPLE


@dataclass(frozen=True)
class CliResult:
    """What a user sees after one command: its exit code and the two streams."""

    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run ``hino-forms ARGS`` in-process (no interpreter start) and capture what it prints."""
    from hino_forms.cli import main

    def run(*args: object) -> CliResult:
        capsys.readouterr()  # drop anything printed before this command
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
        out, err = capsys.readouterr()
        return CliResult(code, out, err)

    return run
