"""`python -m hino_forms check`: what a user sees on the terminal, and the exit status."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.builders import contract_row, write_workbook
from tests.conftest import SAMPLE, CliResult

Cli = Callable[..., CliResult]


@pytest.fixture
def run_check(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], CliResult]:
    """``hino-forms check PATH`` in-process."""
    # A wide terminal so that rich does not fold the messages the test looks for.
    monkeypatch.setenv("COLUMNS", "400")
    monkeypatch.setenv("NO_COLOR", "1")
    return lambda path: cli("check", path)


Check = Callable[[Path], CliResult]


def test_sample_passes_with_its_expected_warnings(run_check: Check) -> None:
    result = run_check(SAMPLE)
    assert result.code == 0, result.err
    out = result.out
    for header in ("重大度", "場所", "契約番号", "内容"):
        assert header in out
    assert "廃棄!K2" in out and "立会者がいません" in out  # My Number paper 廃棄, no city witness
    assert "「伊藤 健太」: 研修受講日が空欄です" in out  # untrained staff → 未受講 on form 3
    assert "未受講" in out
    assert "承認日が空欄" in out  # the pending subcontractor
    assert "契約 8 件、エラー 0 件" in out.splitlines()[-1]
    assert result.err == ""


def test_errors_exit_1_and_name_the_cell(run_check: Check, tmp_path: Path) -> None:
    path = write_workbook(
        tmp_path / "in.xlsx",
        {
            "契約": [
                contract_row(),
                contract_row(契約番号="T-002", 契約終了日="2025/2/30"),
            ],
            # T-001 trained before its start on every topic: no warning (§7).
            "研修": [
                {"契約番号": "T-001", "研修名": "研修", "実施日": "2025/3/20", "実施項目": "全項目"}
            ],
        },
    )
    result = run_check(path)
    assert result.code == 1
    assert "契約!I3" in result.out and "T-002" in result.out
    assert "契約 1 件、エラー 1 件、警告 0 件" in result.out


def _text_named_xlsx(tmp_path: Path) -> Path:
    path = tmp_path / "契約一覧.xlsx"
    path.write_text("契約番号,業務名\nR7-001,架空業務\n", encoding="utf-8")
    return path


def _without_contract_sheet(tmp_path: Path) -> Path:
    return write_workbook(
        tmp_path / "no-contract.xlsx", {"従事者": [{"契約番号": "T-001", "氏名": "架空 四郎"}]}
    )


def _without_end_column(tmp_path: Path) -> Path:
    row = {k: v for k, v in contract_row().items() if k != "契約終了日"}
    return write_workbook(tmp_path / "no-end.xlsx", {"契約": [row]})


@pytest.mark.parametrize(
    ("make", "names"),
    [
        (_text_named_xlsx, "Excel ブック（.xlsx）として読めません"),
        (_without_contract_sheet, "「契約」シートがありません"),
        (_without_end_column, "「契約終了日」"),
        (lambda tmp: tmp / "missing.xlsx", "見つかりません"),
    ],
    ids=["text file named .xlsx", "no 契約 sheet", "no 契約終了日 column", "missing file"],
)
def test_unusable_workbook_exits_2_with_one_line(
    run_check: Check, tmp_path: Path, make: Callable[[Path], Path], names: str
) -> None:
    result = run_check(make(tmp_path))
    assert result.code == 2
    assert result.out == ""
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert names in lines[0] and lines[0].startswith("エラー: ")
    assert "Traceback" not in result.err


def test_help_shows_an_example(cli: Cli) -> None:
    result = cli("check", "--help")
    assert result.code == 0
    assert "python -m hino_forms check data/sample.xlsx" in result.out


def test_a_row_whose_column_is_missing_is_located_once(run_check: Check, tmp_path: Path) -> None:
    # 従事者 without its 氏名 column: the problem is about row 1 of the sheet, said once.
    path = write_workbook(
        tmp_path / "no-name.xlsx",
        {
            "契約": [contract_row()],
            "従事者": [{"契約番号": "T-001", "所属": "保守部", "重要情報取扱": "有"}],
        },
    )
    result = run_check(path)
    assert result.code == 1
    row = next(line for line in result.out.splitlines() if "必須の列" in line)
    assert "従事者!1行目" in row and row.count("従事者!") == 1
