"""§15(2) 項目調整: the city deletes, rewords or adds checklist items of forms 3, 4 and 5 per contract.

What a city officer checks: the adjusted form shows the new wording, the deleted item
is gone, the added one comes last, numbers run 1…N, 報告 answers land on the adjusted
numbers, a subcontractor's form follows its contract's adjustments, and a row that
cannot be applied is an error at its cell that holds that contract back.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from hino_forms.contractor.blank import build_input_workbook
from hino_forms.forms.adjust import checklist_for
from hino_forms.forms.checklists import load_checklist
from hino_forms.forms.render import Renderer
from hino_forms.models import Answer, Form, ItemAdjustment, Records, Severity, Submitter, Timing
from hino_forms.workbook.reader import read_workbook
from tests import builders as b
from tests.test_render import SUB, checklist, fixed_records, render, submission, table_rows

SHIPPED_4_1 = [k for k in load_checklist(4) if "①" in k.timings]


def adj(action: str, form: int = 4, item_no: str = "", text: str = "", **kw: Any) -> ItemAdjustment:
    return ItemAdjustment(
        contract_id="T-001", form=Form(form), item_no=item_no, action=action, text=text, **kw
    )


ADJUSTED = (
    adj("変更", item_no="7", text="全ての従事者は、本庁舎地下1階の市の作業室でのみ作業している。"),
    adj("削除", item_no="3"),
    adj("追加", text="作業室の入退室は、市の管理簿に記録している。", section="10(1)②"),
)


def with_adjustments(records: Records, *rows: ItemAdjustment) -> Records:
    return dataclasses.replace(records, adjustments=rows)


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def test_the_adjusted_checklist_is_numbered_without_gaps_and_the_added_item_comes_last() -> None:
    items = checklist_for(Form.IMPORTANT_INFO_REPORT, "①", ADJUSTED)
    assert [k.no for k in items] == [str(i) for i in range(1, len(SHIPPED_4_1) + 1)]
    texts = [k.text for k in items]
    assert SHIPPED_4_1[2].text not in texts  # item 3 deleted
    assert texts[5] == ADJUSTED[0].text  # shipped 7 is now 6
    assert (items[-1].text, items[-1].section) == (ADJUSTED[2].text, "10(1)②")
    assert items[-1].na_unless == ""  # an added item is always required


def test_form4_shows_the_adjusted_items_and_answers_follow_the_new_numbers(renderer) -> None:
    records = with_adjustments(fixed_records(), *ADJUSTED)
    answers = (
        Answer(contract_id="T-001", form=4, timing=Timing.CONCLUSION, item_no="6", answer="はい"),
        Answer(
            contract_id="T-001",
            form=4,
            timing=Timing.CONCLUSION,
            item_no=str(len(SHIPPED_4_1)),
            answer="いいえ",
            note="管理簿を準備中",
        ),
    )
    records = dataclasses.replace(records, answers=answers)
    items = checklist(render(renderer, submission(4), records))
    assert list(items) == [str(i) for i in range(1, len(SHIPPED_4_1) + 1)]
    assert items["6"][0] == ADJUSTED[0].text and items["6"][2:5] == ["☑", "☐", "☐"]
    last = items[str(len(SHIPPED_4_1))]
    assert last[0] == ADJUSTED[2].text and last[1] == "10(1)②"
    assert last[2:] == ["☐", "☑", "☐", "管理簿を準備中"]
    assert all(SHIPPED_4_1[2].text != row[0] for row in items.values())


def test_a_subcontractors_form_follows_its_contracts_adjustments(renderer) -> None:
    records = with_adjustments(fixed_records(), *ADJUSTED)
    sub = submission(4, submitter=Submitter.SUBCONTRACTOR, subcontractor=SUB)
    items = checklist(render(renderer, sub, records))
    assert items["6"][0] == ADJUSTED[0].text
    assert items[str(len(SHIPPED_4_1))][0] == ADJUSTED[2].text


def test_another_contracts_adjustments_leave_this_form_alone(renderer) -> None:
    other = dataclasses.replace(ADJUSTED[1], contract_id="T-999")
    items = checklist(render(renderer, submission(4), with_adjustments(fixed_records(), other)))
    assert items["3"][0] == SHIPPED_4_1[2].text


def test_form3_topics_are_adjusted_and_renumbered(renderer) -> None:
    topics = load_checklist(3)
    records = with_adjustments(
        fixed_records(),
        adj("削除", form=3, item_no="11"),
        adj("追加", form=3, text="庁舎の入館手続"),
    )
    doc = render(renderer, submission(3), records)
    rows = table_rows(doc, "No.", "項目")
    assert [r[0] for r in rows] == [str(i) for i in range(1, len(topics) + 1)]
    texts = [r[1] for r in rows]
    assert topics[10].text not in texts and texts[-1] == "庁舎の入館手続"


# ---------------------------------------------------------------- bad rows (SPEC §3)


def _workbook(tmp_path: Path, *rows: dict[str, Any]) -> Records:
    path = b.write_workbook(
        tmp_path / "in.xlsx",
        # Trained before the start on every topic: the 項目調整 rows are the only subject.
        {
            "契約": [b.contract_row()],
            "研修": [
                {"契約番号": "T-001", "研修名": "研修", "実施日": "2025/3/20", "実施項目": "全項目"}
            ],
            "項目調整": list(rows),
        },
        headers={"項目調整": ["契約番号", "様式", "項目番号", "操作", "文言", "該当項"]},
    )
    return read_workbook(path)


@pytest.mark.parametrize(
    "row, cell, says",
    [
        (dict(様式=2, 項目番号=1, 操作="削除"), "B2", "3・4・5"),
        (dict(様式=4, 項目番号=99, 操作="削除"), "C2", "項目番号「99」はありません"),
        (dict(様式=4, 項目番号=1, 操作="入替"), "D2", "削除・変更・追加"),
        (dict(様式=4, 項目番号=1, 操作="追加", 文言="新しい項目"), "C2", "項目番号を入れません"),
        (dict(様式=4, 操作="追加"), "E2", "文言が空欄"),
        (dict(様式=5, 操作="変更", 文言="新しい文言"), "C2", "番号が空欄"),
        (dict(様式=5, 項目番号=2, 操作="変更"), "E2", "変更後の文言が空欄"),
        (dict(様式=3, 項目番号=2, 操作="削除", 文言="x"), "E2", "文言は不要"),
    ],
)
def test_a_bad_adjustment_row_is_an_error_at_its_cell(
    tmp_path: Path, row: dict[str, Any], cell: str, says: str
) -> None:
    records = _workbook(tmp_path, {"契約番号": "T-001", **row})
    (problem,) = [p for p in records.problems if p.sheet == "項目調整"]
    assert (problem.severity, problem.cell, problem.contract_id) == (
        Severity.ERROR,
        cell,
        "T-001",
    )
    assert says in problem.message and problem.message.startswith(f"項目調整!{cell}: ")
    assert records.failed_contract_ids == frozenset({"T-001"})


def test_two_rows_on_one_item_are_an_error_at_the_second(tmp_path: Path) -> None:
    records = _workbook(
        tmp_path,
        {"契約番号": "T-001", "様式": 4, "項目番号": 7, "操作": "削除"},
        {"契約番号": "T-001", "様式": 4, "項目番号": 7, "操作": "変更", "文言": "新しい文言"},
    )
    (problem,) = records.problems
    assert (problem.severity, problem.cell, problem.contract_id) == (Severity.ERROR, "C3", "T-001")
    assert "2行目でも調整しています" in problem.message


def test_an_adjustment_for_an_unknown_contract_is_an_error(tmp_path: Path) -> None:
    records = _workbook(tmp_path, {"契約番号": "T-404", "様式": 4, "項目番号": 7, "操作": "削除"})
    (problem,) = records.problems
    assert (problem.severity, problem.cell, problem.contract_id) == (Severity.ERROR, "A2", "T-404")


def test_good_rows_are_read_and_hold_nothing_back(tmp_path: Path) -> None:
    records = _workbook(
        tmp_path,
        {"契約番号": "T-001", "様式": "４", "項目番号": 7, "操作": "変更", "文言": "新しい文言"},
        {"契約番号": "T-001", "様式": 5, "操作": "追加", "文言": "追加の項目", "該当項": "10(2)"},
    )
    assert records.problems == ()
    assert [(int(a.form), a.item_no, a.action) for a in records.adjustments_of("T-001")] == [
        (4, "7", "変更"),
        (5, "", "追加"),
    ]


# ---------------------------------------------------------------- init and the sample


def test_init_has_the_sheet_with_its_headers() -> None:
    wb = build_input_workbook()
    ws = wb["項目調整"]
    assert [c.value for c in ws[1]] == ["契約番号", "様式", "項目番号", "操作", "文言", "該当項"]


def test_the_sample_tailors_form4_of_r7_002_and_its_subcontractor(renderer) -> None:
    records = read_workbook(Path("data/sample.xlsx"))
    assert [a.action for a in records.adjustments_of("R7-002")] == ["変更", "削除", "追加"]
    shipped = [k for k in load_checklist(4) if "①" in k.timings]
    for who in (Submitter.CONTRACTOR, Submitter.SUBCONTRACTOR):
        subs = [
            s
            for s in _plan(records)
            if s.contract_id == "R7-002" and s.form == 4 and s.submitter is who
        ]
        assert subs, who
        items = checklist(render(renderer, subs[0], records))
        assert list(items) == [str(i) for i in range(1, len(shipped) + 1)]  # −1 +1
        assert "サーバ室" in items["7"][0]
        assert items[str(len(shipped))][0].startswith("サーバ室に入退室した日時と氏名は")


def _plan(records: Records) -> list[Any]:
    from hino_forms.planning import rules

    return list(rules.plan(records))


def test_a_prefilled_workbook_shows_the_citys_rows_locked(tmp_path: Path) -> None:
    from hino_forms.contractor.prefill import load_prefill

    wb = build_input_workbook(load_prefill(Path("data/sample.xlsx"), "R7-002"))
    path = tmp_path / "r7002.xlsx"
    wb.save(path)
    ws = load_workbook(path)["項目調整"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2, max_row=4)]
    assert [r[3] for r in rows] == ["変更", "削除", "追加"]
    assert all(ws.cell(r, c).protection.locked for r in (2, 3, 4) for c in range(1, 7))
    # openpyxl's flags say what is protected: rows cannot be inserted or deleted here.
    assert ws.protection.sheet and ws.protection.insertRows and ws.protection.deleteRows
    # The reference list of items numbers them as the contract's forms (and its 報告 rows) do.
    items = [r for r in wb["確認項目一覧"].iter_rows(min_row=3, values_only=True) if r[0] == 4]
    first = [r for r in items if r[2] == "①"]
    assert [r[1] for r in first] == [str(i) for i in range(1, len(SHIPPED_4_1) + 1)]
    assert "サーバ室" in first[6][4] and first[-1][4].startswith("サーバ室に入退室した")
