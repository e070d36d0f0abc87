"""Command-line mistakes get one Japanese line and exit 2, never a traceback or English usage text."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.conftest import SAMPLE, CliResult

Cli = Callable[..., CliResult]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("plan",), "INPUT を指定してください"),
        (("plan", SAMPLE, "--nope"), "オプション --nope はありません"),
        (
            ("plan", SAMPLE, "--format", "pdf"),
            "--format には table・json・csv・xlsx・ics のいずれかを指定してください（指定された値: pdf）",
        ),
        (
            ("plan", SAMPLE, "--format=pdf"),
            "--format には table・json・csv・xlsx・ics のいずれかを指定してください（指定された値: pdf）",
        ),
        (
            ("generate", SAMPLE, "--timing", "someday"),
            "--timing には conclusion・fiscal_year・end・change（契約締結時・年度切替時・契約終了時・随時）の"
            "いずれかを指定してください（指定された値: someday）",
        ),
        (
            ("generate", SAMPLE, "--jobs", "x"),
            "--jobs には数字を指定してください（指定された値: x）",
        ),
        (
            ("generate", SAMPLE, "--jobs", "0"),
            "--jobs には 1 以上の数字を指定してください（指定された値: 0）",
        ),
        (("plan", SAMPLE, "--out"), "--out には値を指定してください"),
        (("zzz",), "コマンド 'zzz' はありません"),
        (("templates", "zzz"), "コマンド 'zzz' はありません"),
    ],
)
def test_usage_mistakes_are_one_japanese_line(
    cli: Cli, args: tuple[object, ...], expected: str
) -> None:
    result = cli(*args)
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("エラー: ")
    assert expected in lines[0]
    assert "Traceback" not in result.err and "Usage" not in result.err
    assert not any(word in lines[0] for word in ("Invalid", "Missing", "No such", "Input should"))


def test_no_command_shows_the_help(cli: Cli) -> None:
    result = cli()
    assert result.code == 0
    assert "generate" in result.out and "check" in result.out
