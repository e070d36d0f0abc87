"""``merge --report``: every row a merge added, changed, kept or removed, and what it refused, as a
workbook the city clerk can filter and print."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.worksheet.worksheet import Worksheet

from hino_forms.contractor.merge import MergeReport
from hino_forms.xlsx import append, display_width, print_setup, save_atomically

CHANGES_SHEET, CONFLICTS_SHEET = "統合結果", "取り込まなかったもの"
CHANGE_HEADERS = (
    "返送ブック",
    "契約番号",
    "シート",
    "区分",
    "行",
    "返送ブックのセル",
    "台帳の行",
    "内容",
)
CONFLICT_HEADERS = ("返送ブック", "契約番号", "理由")


def write_report(report: MergeReport, path: Path) -> None:
    """Write the merge's changes and refusals to ``path`` (atomically, owner-only)."""
    wb = Workbook()
    ws = wb.active
    ws.title = CHANGES_SHEET
    append(ws, CHANGE_HEADERS)
    for c in report.changes:
        append(
            ws,
            (
                c.source.name,
                c.contract_id,
                c.sheet,
                c.action.label,
                c.row,
                c.cell,
                c.ledger_row,
                c.detail,
            ),
        )
    wc = wb.create_sheet(CONFLICTS_SHEET)
    append(wc, CONFLICT_HEADERS)
    for conflict in report.conflicts:
        append(
            wc, (conflict.source.name, conflict.contract_id or "（ブック全体）", conflict.message)
        )
    for sheet in (ws, wc):
        _finish(sheet)
    save_atomically(wb, path)


def _finish(ws: Worksheet) -> None:
    """Bold frozen header, a filter, widths from the content; long text wraps."""
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    for column in ws.columns:
        widest = max(display_width(str(c.value or "")) for c in column)
        letter = column[0].column_letter
        ws.column_dimensions[letter].width = min(widest + 2, 60)
        if widest > 60:
            for c in column:
                c.alignment = Alignment(wrap_text=True, vertical="top")
    print_setup(ws, repeat_header=True)
