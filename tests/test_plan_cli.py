"""`python -m hino_forms plan`: the JSON contract of SPEC §4, the other formats, exit codes 0/1/2."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from icalendar import Calendar
from openpyxl import load_workbook

from tests.builders import contract_row, write_workbook
from tests.conftest import ROOT, SAMPLE, CliResult

SUBMISSION_KEYS = [
    "contract_id",
    "form",
    "label",
    "timing",
    "date",
    "fiscal_year",
    "submitter",
    "subcontractor",
    "status",
    "reasons",
]
PROBLEM_KEYS = ["severity", "sheet", "cell", "contract_id", "message"]


Cli = Callable[..., CliResult]


def run(cli: Cli, *args: str) -> tuple[int, str, str]:
    """``hino-forms plan ARGS`` in-process: (exit code, stdout, stderr)."""
    result = cli("plan", *args)
    return result.code, result.out, result.err


@pytest.fixture
def book(tmp_path: Path) -> Path:
    """Two good contracts: a single-year class 2, a two-year My Number one with a subcontractor."""
    return write_workbook(
        tmp_path / "in.xlsx",
        {
            "契約": [
                contract_row(契約番号="R7-001"),
                contract_row(
                    契約番号="R7-002",
                    業務名="架空住民税電算業務委託",
                    機密性区分=3,
                    特定個人情報="有",
                    契約終了日=date(2027, 3, 31),
                    再委託="有",
                ),
            ],
            "再委託": [
                {
                    "契約番号": "R7-002",
                    "再委託先名称": "有限会社架空入力",
                    "機密性区分": 1,
                    "特定個人情報": "無",
                    "重要情報の保存": "無",
                    "申請日": date(2025, 3, 26),
                    "承認日": None,
                }
            ],
        },
    )


@pytest.fixture
def broken_book(tmp_path: Path) -> Path:
    """R7-001 is fine; R7-009 ends before it starts (an error: it is left out)."""
    return write_workbook(
        tmp_path / "broken.xlsx",
        {
            "契約": [
                contract_row(契約番号="R7-001"),
                contract_row(契約番号="R7-009", 契約終了日=date(2025, 1, 31)),
            ],
            # R7-001 trained before its start on every topic: no warning either (§7).
            "研修": [
                {
                    "契約番号": "R7-001",
                    "研修名": "研修",
                    "実施日": date(2025, 3, 20),
                    "実施項目": "全項目",
                }
            ],
        },
    )


def test_json_schema_order_and_exit_0(cli: Cli, book: Path) -> None:
    code, out, _ = run(cli, str(book), "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert list(doc) == ["submissions", "problems"]
    subs = doc["submissions"]
    assert all(list(s) == SUBMISSION_KEYS for s in subs)
    keys = [(s["date"] is None, s["date"] or "", s["contract_id"], s["form"]) for s in subs]
    assert keys == sorted(keys)
    assert {
        "contract_id": "R7-002",
        "form": 5,
        "label": "様式第5号-②",
        "timing": "fiscal_year",
        "date": "2026-04-01",
        "fiscal_year": 2026,
        "submitter": "contractor",
        "subcontractor": None,
        "status": "ready",
        "reasons": [
            "§9 特定個人情報を取り扱う委託契約",
            "§9② 年度切り替わり時に提出（単年度契約は不要）",
        ],
    } in subs
    pending = subs[-1]
    assert (
        pending["form"],
        pending["date"],
        pending["status"],
        pending["submitter"],
        pending["subcontractor"],
    ) == (7, None, "pending", "city", "有限会社架空入力")
    assert all(list(p) == PROBLEM_KEYS for p in doc["problems"])
    assert {s["timing"] for s in subs} <= {"conclusion", "fiscal_year", "end", "change"}
    # The subcontractor applies the day after 契約締結日: the contractor's form 2 変更 (SPEC v2 §4).
    change = [s for s in subs if s["timing"] == "change"]
    assert [(s["contract_id"], s["label"], s["date"]) for s in change] == [
        ("R7-002", "様式第2号（変更）", "2025-03-26")
    ]


def test_contract_with_error_exit_1_json_still_printed(cli: Cli, broken_book: Path) -> None:
    code, out, _ = run(cli, str(broken_book), "--format", "json")
    assert code == 1
    doc = json.loads(out)
    assert {s["contract_id"] for s in doc["submissions"]} == {"R7-001"}
    errors = [p for p in doc["problems"] if p["severity"] == "error"]
    assert errors and all(
        p["contract_id"] == "R7-009" and p["sheet"] == "契約" and p["cell"] for p in errors
    )


def test_selecting_only_good_contracts_exits_0(cli: Cli, broken_book: Path) -> None:
    code, out, _ = run(cli, str(broken_book), "--format", "json", "--contract", "R7-001")
    assert code == 0
    assert json.loads(out)["problems"] == []


def test_unusable_input_exit_2_message_no_traceback(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "not-a-workbook.xlsx"
    bad.write_text("これは Excel ではありません", encoding="utf-8")
    code, out, err = run(cli, str(bad), "--format", "json")
    assert code == 2 and out == ""
    assert err.startswith("エラー: ") and "Traceback" not in err


def test_missing_contract_sheet_exit_2(cli: Cli, tmp_path: Path) -> None:
    book = write_workbook(tmp_path / "no-contracts.xlsx", {"従事者": [{"契約番号": "R7-001"}]})
    code, out, err = run(cli, str(book), "--format", "json")
    assert code == 2 and out == "" and "契約" in err and "Traceback" not in err


def test_subprocess_json_as_outside_tools_call_it(book: Path, tmp_path: Path) -> None:
    # A real process: what a script calling the command reads from its stdout (UTF-8 JSON).
    done = subprocess.run(
        [sys.executable, "-m", "hino_forms", "plan", str(book), "--format", "json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        encoding="utf-8",
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["submissions"][0]["label"] == "様式第2号"


def test_a_missing_workbook_exits_2_with_nothing_on_stdout(cli: Cli, tmp_path: Path) -> None:
    code, out, err = run(cli, str(tmp_path / "x.xlsx"), "--format", "json")
    assert code == 2 and out == ""
    assert err.startswith("エラー: ") and "x.xlsx" in err and "Traceback" not in err


def test_date_window_and_contract_filter(cli: Cli, book: Path) -> None:
    code, out, _ = run(
        cli, str(book), "--format", "json", "--from", "令和8年4月1日", "--to", "2026/4/30"
    )
    assert code == 0
    got = [(s["contract_id"], s["label"], s["date"]) for s in json.loads(out)["submissions"]]
    # the fiscal-year switch, plus the approval still pending (no date, always listed)
    assert got == [
        ("R7-002", "様式第4号-②", "2026-04-01"),
        ("R7-002", "様式第5号-②", "2026-04-01"),
        ("R7-002", "様式第7号", None),
    ]
    code, out, _ = run(cli, str(book), "--format", "json", "--contract", "R7-001")
    assert {s["contract_id"] for s in json.loads(out)["submissions"]} == {"R7-001"}


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--from", "2026-02-30"], "--from"),
        (["--to", "昨日"], "--to"),
        (["--from", "2026-05-01", "--to", "2026-04-01"], "--from"),
        (["--contract", "R9-999"], "R9-999"),
        (["--format", "csv"], "--out"),
        (["--format", "xlsx"], "--out"),
        (["--format", "ics"], "--out"),
    ],
)
def test_bad_options_exit_2(cli: Cli, book: Path, args: list[str], words: str) -> None:
    code, _, err = run(cli, str(book), *args)
    assert code == 2 and words in err and "Traceback" not in err


def test_table_groups_by_wareki_date_with_totals(
    cli: Cli, book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    code, out, _ = run(cli, str(book))
    assert code == 0
    assert "令和7年3月25日" in out and "令和8年4月1日" in out and "未定" in out
    assert out.count("令和8年4月1日") == 1  # one group heading per date
    assert "様式ごとの件数" in out and "合計" in out
    assert "様式第4号 重要情報の保護に関する報告書" in out


def test_file_formats_written_to_out(cli: Cli, book: Path, tmp_path: Path) -> None:
    files: dict[str, Any] = {}
    for fmt in ("csv", "xlsx", "ics", "json"):
        files[fmt] = tmp_path / f"plan.{fmt}"
        code, out, _ = run(cli, str(book), "--format", fmt, "--out", str(files[fmt]))
        assert code == 0 and str(files[fmt]) in out
    assert files["csv"].read_bytes().startswith(b"\xef\xbb\xbf")
    ws = load_workbook(files["xlsx"])["提出予定一覧"]
    assert ws.auto_filter.ref and ws.freeze_panes == "A2"
    n = len(json.loads(files["json"].read_text(encoding="utf-8"))["submissions"])
    assert ws.max_row == n + 1
    events = list(Calendar.from_ical(files["ics"].read_bytes()).walk("VEVENT"))
    assert len(events) == n - 1  # all but the pending approval


@pytest.mark.skipif(not SAMPLE.exists(), reason="data/sample.xlsx がまだありません")
def test_sample_workbook_plans(cli: Cli) -> None:
    code, out, _ = run(cli, str(SAMPLE), "--format", "json")
    doc = json.loads(out)
    assert code in (0, 1) and doc["submissions"]
    assert {s["form"] for s in doc["submissions"]} >= {2, 4}


# -- issue 13 item 15: the options take what a Japanese user types, and say so in Japanese


@pytest.mark.parametrize("typed", ["契約終了時", "③契約終了時", "③", "END"])
def test_timing_accepts_the_japanese_labels_and_the_mark(cli: Cli, book: Path, typed: str) -> None:
    _, by_code, _ = run(cli, str(book), "--format", "json", "--timing", "end")
    code, out, err = run(cli, str(book), "--format", "json", "--timing", typed)
    assert code == 0, err
    assert out == by_code
    assert {s["timing"] for s in json.loads(out)["submissions"]} == {"end"}


def test_an_unknown_timing_lists_the_codes_and_the_japanese_names(cli: Cli, book: Path) -> None:
    code, out, err = run(cli, str(book), "--timing", "契約途中")
    assert code == 2 and out == ""
    assert err.strip() == (
        "エラー: --timing には conclusion・fiscal_year・end・change（契約締結時・年度切替時・契約終了時・随時）の"
        "いずれかを指定してください（指定された値: 契約途中）"
    )


def test_an_unknown_contract_lists_the_valid_ids(cli: Cli, book: Path) -> None:
    code, out, err = run(cli, str(book), "--contract", "R9-999")
    assert code == 2 and out == ""
    assert err.strip() == (
        "エラー: 契約番号 R9-999 は入力ブックの「契約」シートにありません。"
        "指定できる契約番号: R7-001、R7-002"
    )


def test_many_valid_ids_are_listed_up_to_ten(cli: Cli, tmp_path: Path) -> None:
    rows = [contract_row(契約番号=f"R7-{i:03}") for i in range(1, 13)]
    path = write_workbook(tmp_path / "many.xlsx", {"契約": rows})
    _, _, err = run(cli, str(path), "--contract", "R7-999")
    assert "指定できる契約番号: R7-001、R7-002、" in err
    assert "R7-010 ほか 2 件" in err and "R7-011" not in err
