"""Command-line mistakes get one Japanese line and exit 2, never a traceback or English usage text."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import ROOT, SAMPLE


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hino_forms", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("plan",), "INPUT を指定してください"),
        (("plan", str(SAMPLE), "--nope"), "オプション --nope はありません"),
        (
            ("plan", str(SAMPLE), "--format", "pdf"),
            "--format には table・json・csv・xlsx・ics のいずれか",
        ),
        (
            ("generate", str(SAMPLE), "--timing", "someday"),
            "--timing には conclusion・fiscal_year・end のいずれか",
        ),
        (("generate", str(SAMPLE), "--jobs", "x"), "--jobs には数字を指定してください"),
        (("zzz",), "コマンド 'zzz' はありません"),
    ],
)
def test_usage_mistakes_are_one_japanese_line(args: tuple[str, ...], expected: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("エラー: ")
    assert expected in lines[0]
    assert "Traceback" not in result.stderr and "Usage" not in result.stderr


def test_no_command_shows_the_help() -> None:
    result = run()
    assert result.returncode == 0
    assert "generate" in result.stdout and "check" in result.stdout
