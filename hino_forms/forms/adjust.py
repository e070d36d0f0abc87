"""§15(2): the city's per-contract changes to the checklists of forms 3, 4 and 5 (項目調整).

A 項目調整 row deletes (削除), rewords (変更) or adds (追加) an item. It names a
shipped item by the number printed for it (in forms 4 and 5 an item number
may stand for a different item in ② and in ③: the row applies wherever that
number is printed). Added items go after the shipped ones in the order of
their rows and apply to every variant. The adjusted list holds for the
contract's own forms and its subcontractors'; each variant is numbered 1…N
with no gap, and 報告 answers (and 研修 実施項目) use those numbers.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path

from hino_forms.forms.checklists import ChecklistItem, load_checklist
from hino_forms.models import Cells, Form, ItemAdjustment, Problem, Records, Severity
from hino_forms.workbook import schema

DELETE, REWORD, ADD = schema.ADJUSTMENT_ACTIONS
ALL_TIMINGS = ("①", "②", "③")


def adjusted(
    items: Sequence[ChecklistItem], adjustments: Sequence[ItemAdjustment]
) -> tuple[ChecklistItem, ...]:
    """``items`` with the rows of ``adjustments`` applied (rows of other forms are the caller's)."""
    deleted = {a.item_no for a in adjustments if a.action == DELETE}
    reworded = {a.item_no: a.text for a in adjustments if a.action == REWORD}
    out = [
        dataclasses.replace(k, text=reworded[k.no]) if k.no in reworded else k
        for k in items
        if k.no not in deleted
    ]
    # Added items are always required: no 該当なし pre-tick, no timing restriction.
    out += [
        ChecklistItem(no="", text=a.text, section=a.section, timings=ALL_TIMINGS)
        for a in adjustments
        if a.action == ADD
    ]
    return tuple(out)


def numbered(items: Sequence[ChecklistItem], mark: str) -> tuple[ChecklistItem, ...]:
    """The items printed on variant ``mark`` (①②③), numbered 1…N in order."""
    return tuple(
        dataclasses.replace(k, no=str(i))
        for i, k in enumerate((k for k in items if mark in k.timings), 1)
    )


def checklist_for(
    form: Form,
    mark: str,
    adjustments: Sequence[ItemAdjustment] = (),
    override_dir: Path | None = None,
) -> tuple[ChecklistItem, ...]:
    """The numbered items of form 3, 4 or 5 at ``mark`` for a contract with ``adjustments``."""
    own = [a for a in adjustments if a.form == form]
    return numbered(adjusted(load_checklist(form, override_dir), own), mark)


def adjustment_problems(records: Records, cells: Cells) -> list[Problem]:
    """The 項目調整 rows that cannot be applied: each an error at its cell (SPEC §3).

    Item numbers are checked against the shipped checklists (a city's own checklist
    files under ``--templates`` are not known while the workbook is read).
    """
    problems: list[Problem] = []
    seen: dict[tuple[str, Form, str], int] = {}
    for a in records.adjustments:

        def error(header: str, text: str, a: ItemAdjustment = a) -> None:
            problems.append(
                cells.problem(
                    Severity.ERROR,
                    schema.ADJUSTMENT.name,
                    a.row,
                    header,
                    a.contract_id,
                    f"契約「{a.contract_id}」の項目調整: {text}",
                )
            )

        label = f"様式第{int(a.form)}号"
        if a.action == ADD:
            if a.item_no:
                error("項目番号", "追加する項目には項目番号を入れません。空欄にしてください。")
            if not a.text:
                error("文言", "追加する項目の文言が空欄です。確認項目の文言を入力してください。")
            continue
        if not a.item_no:
            error(
                "項目番号",
                f"{a.action}する項目の番号が空欄です。{label}の項目番号を入力してください。",
            )
            continue
        known = {k.no for k in load_checklist(a.form)}
        if a.item_no not in known:
            error(
                "項目番号",
                f"{label}に項目番号「{a.item_no}」はありません"
                f"（1〜{len(known)}）。番号を確かめてください。",
            )
            continue
        if a.action == REWORD and not a.text:
            error("文言", "変更後の文言が空欄です。新しい文言を入力してください。")
        if a.action == DELETE and a.text:
            error(
                "文言", "削除する項目に文言は不要です。文言を消すか、操作を「変更」にしてください。"
            )
        key = (a.contract_id, a.form, a.item_no)
        if key in seen:
            error(
                "項目番号",
                f"{label}の項目{a.item_no}は{seen[key]}行目でも調整しています。1項目1行にしてください。",
            )
        else:
            seen[key] = a.row
    return problems
