"""`merge`: contractors' returned workbooks folded into a copy of the city's master workbook."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from hino_forms.cli import main
from hino_forms.contractor.blank import write_input_workbook
from hino_forms.contractor.prefill import load_prefill
from hino_forms.contractor.merge import merge_workbooks
from hino_forms.errors import BadOption, OutputExists
from hino_forms.planning.rules import plan
from hino_forms.workbook.reader import read_workbook
from tests.builders import contract_row, write_workbook
from tests.test_init import fill

# The city's side: two contracts; R7-001 stores class-3 information and subcontracts.
CONTRACTS = [
    contract_row(
        契約番号="R7-001",
        業務名="架空窓口受付業務委託",
        機密性区分=3,
        重要情報の保存="有",
        再委託="有",
        契約開始日=date(2025, 4, 1),
        契約終了日=date(2027, 3, 31),
    ),
    contract_row(契約番号="R7-002", 業務名="架空システム保守業務委託"),
]
SUB = {
    "契約番号": "R7-001",
    "再委託先名称": "有限会社架空サポート",
    "再委託先所在地": "東京都日野市架空町2-2-2",
    "再委託業務内容": "データ入力",
    "機密性区分": 2,
    "特定個人情報": "無",
    "重要情報の保存": "無",
    "申請日": date(2025, 3, 26),
    "承認日": date(2025, 3, 28),
    "承認番号": "日架第1号",
}
OLD_STAFF = [
    {
        "契約番号": "R7-001",
        "氏名": "前回 提出者",
        "重要情報取扱": "有",
        "研修受講日": date(2025, 3, 1),
    },
    {
        "契約番号": "R7-002",
        "氏名": "保守 太郎",
        "重要情報取扱": "有",
        "研修受講日": date(2025, 3, 1),
    },
]
# The contractor's side for R7-001.
STAFF = [
    {
        "契約番号": "R7-001",
        "氏名": "架空 一子",
        "所属": "窓口部",
        "役割": "受付",
        "重要情報取扱": "有",
        "特定個人情報取扱": "無",
        "研修受講日": date(2025, 3, 20),
    },
    {
        "契約番号": "R7-001",
        "氏名": "架空 二郎",
        "所属": "窓口部",
        "役割": "受付",
        "重要情報取扱": "有",
        "特定個人情報取扱": "無",
        "研修受講日": date(2025, 3, 20),
    },
    {
        "契約番号": "R7-001",
        "再委託先名称": "有限会社架空サポート",
        "氏名": "下請 三子",
        "重要情報取扱": "有",
        "特定個人情報取扱": "無",
        "研修受講日": date(2025, 3, 21),
    },
]
TRAININGS = [
    {
        "契約番号": "R7-001",
        "研修名": "情報セキュリティ研修",
        "実施日": date(2025, 3, 20),
        "実施方法": "集合研修",
    }
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
ANSWERS = [
    {"契約番号": "R7-001", "様式": 4, "時期": "①", "項目番号": "1", "回答": "はい"},
    {"契約番号": "R7-001", "様式": 4, "時期": "②", "年度": 2026, "項目番号": "1", "回答": "はい"},
]
OFFICER = {"責任者氏名": "架空 責任", "責任者役職": "部長", "責任者連絡先": "042-000-0099"}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def master(tmp_path: Path) -> Path:
    """A master made with `init` and filled by the city."""
    path = write_input_workbook(tmp_path / "台帳.xlsx")
    wb = load_workbook(path)
    fill(wb["契約"], CONTRACTS)
    fill(wb["再委託"], [SUB])
    fill(wb["従事者"], OLD_STAFF)
    wb.save(path)
    return path


def returned_for(
    master: Path,
    tmp_path: Path,
    cid: str = "R7-001",
    name: str = "返送.xlsx",
    contract: dict[str, Any] | None = None,
    **sheets: list[dict[str, Any]],
) -> Path:
    """Pre-fill for ``cid``, then fill as the contractor (``contract``: cells typed on 契約 row 2)."""
    path = write_input_workbook(tmp_path / name, prefill=load_prefill(master, cid))
    wb = load_workbook(path)
    for sheet, rows in sheets.items():
        fill(wb[sheet], rows)
    headers = [c.value for c in wb["契約"][1]]
    for header, value in (contract or {}).items():
        wb["契約"].cell(2, headers.index(header) + 1, value)
    wb.save(path)
    return path


def rows_of(path: Path, sheet: str, cid: str) -> list[dict[str, Any]]:
    """The filled cells of ``cid``'s rows, dates as dates, as a reader would compare them."""
    ws = load_workbook(path)[sheet]
    headers = [c.value for c in ws[1]]
    out = []
    for values in ws.iter_rows(min_row=2, values_only=True):
        row = {
            h: (v.date() if hasattr(v, "date") else v)
            for h, v in zip(headers, values)
            if v is not None
        }
        if row.get("契約番号") == cid:
            out.append(row)
    return out


def test_round_trip_reproduces_the_contractors_rows_and_the_plan(
    master: Path, tmp_path: Path
) -> None:
    before = sha(master)
    back = returned_for(
        master,
        tmp_path,
        従事者=STAFF,
        研修=TRAININGS,
        廃棄=DISPOSALS,
        報告=ANSWERS,
        contract=OFFICER,
    )
    report = merge_workbooks(master, [back], out=tmp_path / "統合.xlsx")
    assert report.conflicts == ()
    [m] = report.merged
    assert (m.contract_id, m.rows) == (
        "R7-001",
        {"従事者": 3, "研修": 1, "再委託": 1, "廃棄": 1, "報告": 2},
    )
    assert m.contract_columns == ("責任者氏名", "責任者連絡先")  # 役職 was already 部長
    assert sha(master) == before  # never modified in place
    merged = report.out
    assert rows_of(merged, "従事者", "R7-001") == STAFF  # the old R7-001 staff are replaced
    assert rows_of(merged, "従事者", "R7-002") == [OLD_STAFF[1]]  # other contracts untouched
    assert rows_of(merged, "研修", "R7-001") == TRAININGS
    assert rows_of(merged, "廃棄", "R7-001") == DISPOSALS
    assert rows_of(merged, "再委託", "R7-001") == [SUB]
    assert rows_of(merged, "契約", "R7-001")[0]["責任者氏名"] == "架空 責任"

    records = read_workbook(merged)
    assert not records.has_errors, records.problems
    by_hand = write_workbook(
        tmp_path / "手作業.xlsx",
        {
            "契約": [CONTRACTS[0] | OFFICER, CONTRACTS[1]],
            "再委託": [SUB],
            "従事者": [*STAFF, OLD_STAFF[1]],
            "研修": TRAININGS,
            "廃棄": DISPOSALS,
            "報告": ANSWERS,
        },
    )
    expected = [s.as_dict() for s in plan(read_workbook(by_hand))]
    assert [s.as_dict() for s in plan(records)] == expected
    assert {"様式第1号", "様式第4号-②", "様式第6号", "様式第7号"} <= {s["label"] for s in expected}


def test_a_sheet_left_empty_keeps_the_masters_rows(master: Path, tmp_path: Path) -> None:
    back = returned_for(master, tmp_path, 研修=TRAININGS)
    report = merge_workbooks(master, [back], out=tmp_path / "統合.xlsx")
    assert report.merged[0].rows == {"研修": 1, "再委託": 1}
    assert [r["氏名"] for r in rows_of(report.out, "従事者", "R7-001")] == ["前回 提出者"]


def test_a_changed_protected_cell_is_a_conflict_and_nothing_is_merged(
    master: Path, tmp_path: Path
) -> None:
    back = returned_for(master, tmp_path, 従事者=STAFF, contract={"機密性区分": 1})
    report = merge_workbooks(master, [back], out=tmp_path / "統合.xlsx")
    assert report.merged == ()
    [c] = report.conflicts
    assert c.contract_id == "R7-001" and "契約!K2" in c.message and "機密性区分" in c.message
    assert "市の担当課へ連絡" in c.message
    assert [r["氏名"] for r in rows_of(report.out, "従事者", "R7-001")] == ["前回 提出者"]


def test_an_approved_subcontractor_changed_or_self_approved_is_a_conflict(
    master: Path, tmp_path: Path
) -> None:
    path = returned_for(
        master,
        tmp_path,
        再委託=[
            {"契約番号": "R7-001", "再委託先名称": "架空印刷合同会社", "承認日": date(2025, 4, 1)}
        ],
    )
    wb = load_workbook(path)
    wb["再委託"]["E2"] = "データ入力と発送"  # the approved row's 再委託業務内容
    wb.save(path)
    [c] = merge_workbooks(master, [path], out=tmp_path / "統合.xlsx").conflicts
    assert "再委託!E2" in c.message and "承認済みの再委託先「有限会社架空サポート」" in c.message
    assert "再委託!N3" in c.message and "市が記入する欄" in c.message


def test_two_returned_workbooks_for_one_contract_merge_neither(
    master: Path, tmp_path: Path
) -> None:
    a = returned_for(master, tmp_path, name="A社.xlsx", 従事者=STAFF[:1])
    b = returned_for(master, tmp_path, name="B社.xlsx", 従事者=STAFF[1:2])
    c = returned_for(
        master,
        tmp_path,
        cid="R7-002",
        name="C社.xlsx",
        研修=[{"契約番号": "R7-002", "研修名": "保守研修", "実施日": date(2025, 3, 2)}],
    )
    report = merge_workbooks(master, [a, b, c], out=tmp_path / "統合.xlsx")
    assert [m.contract_id for m in report.merged] == ["R7-002"]
    assert {(x.source.name, x.contract_id) for x in report.conflicts} == {
        ("A社.xlsx", "R7-001"),
        ("B社.xlsx", "R7-001"),
    }
    assert "A社.xlsx、B社.xlsx" in report.conflicts[0].message
    assert [r["氏名"] for r in rows_of(report.out, "従事者", "R7-001")] == ["前回 提出者"]
    assert rows_of(report.out, "研修", "R7-002")[0]["研修名"] == "保守研修"


def test_a_row_for_another_contract_rejects_the_whole_file(master: Path, tmp_path: Path) -> None:
    back = returned_for(
        master, tmp_path, 従事者=[*STAFF[:1], {"契約番号": "R7-002", "氏名": "越境 者"}]
    )
    report = merge_workbooks(master, [back], out=tmp_path / "統合.xlsx")
    assert report.merged == ()
    [c] = report.conflicts
    assert c.contract_id is None and "従事者!A3（「R7-002」）" in c.message


def test_the_master_is_never_the_output(master: Path, tmp_path: Path) -> None:
    before = sha(master)
    with pytest.raises(BadOption):
        merge_workbooks(master, [], out=master, force=True)
    other = tmp_path / "既存.xlsx"
    other.write_bytes(b"x")
    with pytest.raises(OutputExists):
        merge_workbooks(master, [], out=other)
    merge_workbooks(master, [], out=other, force=True)
    assert load_workbook(other).sheetnames == load_workbook(master).sheetnames
    assert sha(master) == before


def test_cli_prints_a_japanese_summary_and_exits_1_on_conflicts(
    master: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = returned_for(master, tmp_path, name="良.xlsx", 従事者=STAFF)
    bad = returned_for(
        master, tmp_path, cid="R7-002", name="悪.xlsx", contract={"業務名": "書き換え"}
    )
    out = tmp_path / "統合.xlsx"
    with pytest.raises(SystemExit) as exit_:
        main(["merge", str(master), str(good), str(bad), "--out", str(out)])
    assert exit_.value.code == 1
    text = capsys.readouterr().out
    assert "取り込んだ契約: 1件" in text and "R7-001（良.xlsx）: 従事者 3行" in text
    assert "取り込まなかったもの: 1件" in text and "R7-002（悪.xlsx）" in text and "業務名" in text
    with pytest.raises(SystemExit) as exit_:
        main(["merge", str(master), str(good), "--out", str(out), "--force"])
    assert exit_.value.code == 0
