"""What ``init --from LEDGER --contract ID`` puts in the workbook: everything the ledger holds for
that contract, and one 報告 row per checklist item of its form 4/5 reports that fall due.

The contractor sees what they are about to confirm or change: their staff,
training, subcontractors, disposal records and earlier answers, as in the
ledger. The 報告 sheet lists the items of each report in the window (by
default, every report dated up to ``REPORT_HORIZON_DAYS`` after today, past
ones included) with their wording, and the ledger's answer where there is one.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hino_forms.contractor.rows import Key, row_key
from hino_forms.errors import BadOption, HinoFormsError, InputUnusable
from hino_forms.forms.adjust import checklist_for
from hino_forms.models import Form, ItemAdjustment, Submission
from hino_forms.planning import rules
from hino_forms.workbook.reader import read_workbook
from hino_forms.workbook.schema import (
    CONTRACT,
    CONTRACT_ID,
    REPORT,
    SHEETS,
    SUBCONTRACTOR_NAME,
    Filler,
)
from hino_forms.xlsx import Values, cell_text

REPORT_HORIZON_DAYS = 90  # reports due within this many days are listed without --to
ITEM_HEADER = REPORT.columns_filled_by(Filler.REFERENCE)[0]  # 確認項目: the item's wording


@dataclass(frozen=True)
class Prefill:
    """One contract's rows from the ledger, by sheet (cell values by header), ready to write."""

    contract_id: str
    work_name: str
    rows: dict[str, tuple[dict[str, Any], ...]]
    reports: tuple[Submission, ...] = ()  # the form 4/5 reports whose items 報告 lists
    window: tuple[date | None, date | None] = (None, None)
    note: str = ""  # why no item is listed, when none is (Japanese)
    adjustments: tuple[ItemAdjustment, ...] = ()  # the contract's 項目調整: items as adjusted


def load_prefill(
    ledger: Path,
    contract_id: str,
    *,
    date_from: date | None = None,
    date_to: date | None = None,
    today: date | None = None,
) -> Prefill:
    """The rows of one contract in the city's ledger, and its report items in the window."""
    wanted = cell_text(contract_id)
    by_sheet = _ledger_rows(ledger, wanted)
    [contract] = by_sheet[CONTRACT.name]
    if date_from is None and date_to is None:
        date_to = (today or date.today()) + timedelta(days=REPORT_HORIZON_DAYS)
    reports, note, adjustments = _reports(ledger, wanted, date_from, date_to)
    by_sheet[REPORT.name] = _report_rows(wanted, reports, by_sheet[REPORT.name], adjustments)
    return Prefill(
        contract_id=wanted,
        work_name=cell_text(contract.get("業務名")),
        rows={name: tuple(rows) for name, rows in by_sheet.items()},
        reports=tuple(reports),
        window=(date_from, date_to),
        note=note,
        adjustments=adjustments,
    )


def _ledger_rows(ledger: Path, wanted: str) -> dict[str, list[dict[str, Any]]]:
    """Every sheet's rows of contract ``wanted`` (schema headers only); its 契約 row must be unique."""
    if not ledger.is_file():
        raise InputUnusable(f"台帳ブック {ledger} が見つかりません")
    try:
        wb = Values(ledger)
    except Exception as err:  # noqa: BLE001 -- any unreadable file means the same to the user
        raise InputUnusable(
            f"{ledger} を Excel ブックとして開けません（{type(err).__name__}）"
        ) from None
    try:
        if CONTRACT.name not in wb.sheetnames:
            raise InputUnusable(f"{ledger} に「契約」シートがありません")
        _, contracts = wb.rows(CONTRACT.name)
        ids = [r.text(CONTRACT_ID) for r in contracts]
        found = ids.count(wanted)
        if found == 0:
            known = "、".join(i for i in ids if i) or "（なし）"
            raise BadOption(
                f"契約番号「{wanted}」は {ledger} の「契約」シートにありません。ある契約番号: {known}"
            )
        if found > 1:
            raise BadOption(f"契約番号「{wanted}」が {ledger} の「契約」シートに複数あります")
        # In a ledger of one contract a blank 契約番号 means that contract, as the reader reads it.
        alone = len([i for i in ids if i]) == 1
        out: dict[str, list[dict[str, Any]]] = {}
        for sheet in SHEETS:
            out[sheet.name] = []
            if sheet.name not in wb.sheetnames:
                continue
            _, rows = wb.rows(sheet.name)
            for r in rows:
                cid = r.text(CONTRACT_ID) or (wanted if alone and sheet is not CONTRACT else "")
                if cid == wanted:
                    values = {c.header: r.values.get(c.header) for c in sheet.read_columns}
                    values[CONTRACT_ID] = wanted
                    out[sheet.name].append(values)
        return out
    finally:
        wb.close()


def _reports(
    ledger: Path, contract_id: str, date_from: date | None, date_to: date | None
) -> tuple[list[Submission], str, tuple[ItemAdjustment, ...]]:
    """The contract's form 4/5 submissions dated in the window, a note when there are none, and
    the contract's 項目調整 rows (the items are listed as adjusted)."""
    try:
        records = read_workbook(ledger)
    except HinoFormsError as err:
        return [], f"台帳を読めないため、確認項目を並べていません（{err}）。", ()
    if contract_id not in {c.contract_id for c in records.contracts}:
        return [], "台帳の契約の行が読めないため、確認項目を並べていません。", ()
    adjustments = records.adjustments_of(contract_id)
    # Errors elsewhere in the ledger (or in this contract) must not hide the items to answer.
    planned = rules.plan(dataclasses.replace(records, problems=()))
    chosen = [
        s
        for s in rules.select(
            planned, contracts=[contract_id], date_from=date_from, date_to=date_to
        )
        if s.form in (4, 5)
    ]
    if not chosen:
        return [], "この期間に提出する様式第4号・第5号はありません。", adjustments
    return chosen, "", adjustments


def _report_rows(
    contract_id: str,
    reports: list[Submission],
    answers: list[dict[str, Any]],
    adjustments: tuple[ItemAdjustment, ...] = (),
) -> list[dict[str, Any]]:
    """One row per item of each report, with the ledger's answer; then the ledger's other answers."""
    ledger: dict[Key, dict[str, Any]] = {}
    for a in answers:
        ledger.setdefault(row_key(REPORT, a, contract_id), a)
    rows: list[dict[str, Any]] = []
    listed: set[Key] = set()
    wording = {
        (str(form), item.no): item.text
        for form in (Form.IMPORTANT_INFO_REPORT, Form.MY_NUMBER_REPORT)
        for mark in ("①", "②", "③")
        for item in checklist_for(form, mark, adjustments)
    }
    for s in reports:
        for item in checklist_for(s.form, s.timing.mark, adjustments):
            row: dict[str, Any] = {
                CONTRACT_ID: contract_id,
                SUBCONTRACTOR_NAME: s.subcontractor,
                "様式": s.form,
                "時期": s.timing.mark,
                "年度": s.fiscal_year,
                "項目番号": item.no,
                ITEM_HEADER: item.text,
            }
            key = row_key(REPORT, row, contract_id)
            if key in listed:
                continue
            listed.add(key)
            old = ledger.get(key, {})
            row.update(回答=old.get("回答"), 備考=old.get("備考"))
            rows.append(row)
    for key, a in ledger.items():
        if key not in listed:
            item_key = (str(key[REPORT.key.index("様式")]), str(key[REPORT.key.index("項目番号")]))
            rows.append({**a, ITEM_HEADER: wording.get(item_key)})
    return rows
