"""The input workbook contractors fill (``init``): sheets, prompts, drop-downs, protection, pre-fill.

Everything a contractor sees comes from ``schema.SHEETS`` (headers, who fills
each column, help texts, examples) plus the reading sheets of ``guide``.
Validation is a guide, not the check: the reader still checks every cell, so
a value pasted past a drop-down is reported with its cell.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Protection
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from hino_forms.contractor.guide import (
    EXAMPLE_SHEET,
    GUIDE_SHEET,
    ITEMS_SHEET,
    LOCKED_FILL,
    REFERENCE_WIDTH,
    column_width,
    header_fill,
    protect,
    text_height,
    write_example,
    write_guide,
    write_items,
)
from hino_forms.contractor.prefill import ITEM_HEADER, Prefill
from hino_forms.errors import BadOption, OutputExists
from hino_forms.workbook.schema import (
    CONTRACT,
    CONTRACT_ID,
    REPORT,
    SHEETS,
    SUBCONTRACT,
    SUBCONTRACTOR_NAME,
    Column,
    Filler,
    Kind,
    Sheet,
)
from hino_forms.xlsx import (
    BOX,
    DATE_FORMAT,
    cell_text,
    header_cell,
    print_setup,
    put,
    save_atomically,
)

LAST_ROW = 1000  # validations and drop-down sources reach this row (further on long sheets)
CONTRACT_IDS_NAME = "契約番号一覧"  # defined names: the drop-down sources
SUBCONTRACTOR_NAMES_NAME = "再委託先一覧"
_DATE_MIN, _DATE_MAX = int(to_excel(date(2000, 1, 1))), int(to_excel(date(2100, 12, 31)))
# 報告 rows listed from the checklists: only 回答 and 備考 are the contractor's to change.
_REPORT_OPEN = ("回答", "備考")


def write_input_workbook(out: Path, *, prefill: Prefill | None = None, force: bool = False) -> Path:
    """Write the input workbook to ``out`` (atomically, owner-only); refuse an existing file
    without ``force``."""
    if out.exists() and not force:
        raise OutputExists(out)
    if out.suffix.lower() != ".xlsx":
        raise BadOption(f"出力ファイル名は .xlsx で終わる必要があります: {out}")
    if not out.parent.is_dir():
        raise BadOption(f"出力先のフォルダ {out.parent} がありません。先に作成してください")
    save_atomically(build_input_workbook(prefill), out)
    return out


def build_input_workbook(prefill: Prefill | None = None) -> Workbook:
    """The whole workbook: 記入方法, the six input sheets of SHEETS, 確認項目一覧, then 記入例."""
    wb = Workbook()
    wb.remove(wb.active)
    write_guide(wb.create_sheet(GUIDE_SHEET), prefill)
    for sheet in SHEETS:
        ws = wb.create_sheet(sheet.name)
        rows = len(prefill.rows.get(sheet.name, ())) if prefill is not None else 0
        last = max(LAST_ROW, rows + LAST_ROW // 2)
        _layout(ws, sheet)
        _validate(ws, sheet, last, prefill)
        if prefill is not None:
            _prefill(ws, sheet, prefill)
    write_items(wb.create_sheet(ITEMS_SHEET), prefill.adjustments if prefill is not None else ())
    write_example(wb.create_sheet(EXAMPLE_SHEET))
    _define_sources(wb, prefill)
    if prefill is not None:
        # Which contract the workbook was made for, for ``merge`` (the 契約 sheet says it too).
        wb.properties.subject = prefill.contract_id
        wb.properties.title = f"入力ブック {prefill.contract_id} {prefill.work_name}"
    wb.active = 0  # opens on the instructions
    return wb


def _layout(ws: Worksheet, sheet: Sheet) -> None:
    """Headers in row 1, frozen below; widths; date formats; print set-up."""
    for i, col in enumerate(sheet.columns, start=1):
        header_cell(ws, 1, i, col.header, header_fill(sheet, col))
        letter = get_column_letter(i)
        dim = ws.column_dimensions[letter]
        dim.width = column_width(col)
        # A column style, not 999 styled cells: new cells typed in the column
        # inherit it in Excel and LibreOffice, and the sheet stays small.
        reference = col.filled_by is Filler.REFERENCE
        dim.protection = Protection(locked=reference)
        if col.kind is Kind.DATE:
            dim.number_format = DATE_FORMAT
        elif col.header == CONTRACT_ID:
            dim.number_format = "@"  # typed 001 stays 001, the same text on every sheet
        if col.choices:
            dim.alignment = Alignment(horizontal="center", vertical="center")
        elif reference:
            dim.alignment = Alignment(wrap_text=True, vertical="center")
    ws.row_dimensions[1].height = 30
    ws.freeze_panes = "A2"
    print_setup(ws, repeat_header=True)


def prompt_for(sheet: Sheet, col: Column, prefill: Prefill | None = None) -> tuple[str, str]:
    """The input message of a column: (title ≤ 32 characters, text ≤ 255 characters)."""
    who = f"{sheet.filler(col.header).label}が記入"
    if sheet.filler(col.header) is Filler.REFERENCE:
        who = "参考・読み込みません"
    title = f"{col.header}（{'必須・' if col.required else ''}{who}）"
    lines = [col.help] if col.help else []
    if col.header == CONTRACT_ID and sheet is not CONTRACT:
        lines.append("▼から選べます（「契約」シートの契約番号）。")
        if prefill is not None:
            lines.append(f"空欄は「{prefill.contract_id}」の行です。")
    elif col.header == SUBCONTRACTOR_NAME and sheet is not SUBCONTRACT:
        lines.append("▼から選べます（「再委託」シートの名称）。")
    elif col.choices:
        lines.append("▼から選んでください: " + "・".join(col.choices))
    elif col.kind is Kind.DATE:
        lines.append("日付は 2025/4/1 のように入力します。")
    if col.example:
        lines.append(f"例: {col.example}")
    return title[:32], "\n".join(lines)[:255]


def _validate(ws: Worksheet, sheet: Sheet, last: int, prefill: Prefill | None) -> None:
    """One validation per column: its input message, and its drop-down or date rule."""
    for i, col in enumerate(sheet.columns, start=1):
        letter = get_column_letter(i)
        title, prompt = prompt_for(sheet, col, prefill)
        dv = _rule_for(sheet, col)
        dv.promptTitle, dv.prompt, dv.showInputMessage = title, prompt, True
        dv.allow_blank = True
        dv.add(f"{letter}2:{letter}{last}")
        ws.add_data_validation(dv)


def _rule_for(sheet: Sheet, col: Column) -> DataValidation:
    """The data rule of a column (a bare input message when anything goes)."""
    if col.header == CONTRACT_ID and sheet is not CONTRACT:
        return _stop(
            DataValidation(type="list", formula1=CONTRACT_IDS_NAME),
            "「契約」シートにある契約番号を▼から選んでください。",
        )
    if col.header == SUBCONTRACTOR_NAME and sheet is not SUBCONTRACT:
        return _stop(
            DataValidation(type="list", formula1=SUBCONTRACTOR_NAMES_NAME),
            "「再委託」シートにある再委託先名称を▼から選ぶか、受託者自身の行なら空欄にしてください。",
        )
    if col.choices:
        listed = ",".join(col.choices)
        return _stop(
            DataValidation(type="list", formula1=f'"{listed}"'),
            f"{'・'.join(col.choices)} のどれかを▼から選んでください。",
        )
    if col.kind is Kind.DATE:
        return _stop(
            DataValidation(
                type="date", operator="between", formula1=str(_DATE_MIN), formula2=str(_DATE_MAX)
            ),
            "日付を 2025/4/1 のように入力してください。",
        )
    return DataValidation()


def _stop(dv: DataValidation, message: str) -> DataValidation:
    dv.showErrorMessage, dv.errorStyle = True, "stop"
    dv.errorTitle, dv.error = "入力できない値です", message
    return dv


def _define_sources(wb: Workbook, prefill: Prefill | None) -> None:
    """Defined names for the 契約番号 and 再委託先名称 drop-downs (robust across Excel and Calc).

    Plain ranges, not OFFSET/COUNTA tricks: a blank row in the middle would
    hide later values from a counted list, and the stop-style rule would then
    refuse a correct entry. A pre-filled workbook lists exactly its contract,
    since the contractor cannot add contracts.
    """
    contract_rows = LAST_ROW if prefill is None else 1 + len(prefill.rows[CONTRACT.name])
    sources = {
        CONTRACT_IDS_NAME: (CONTRACT, CONTRACT_ID, contract_rows),
        SUBCONTRACTOR_NAMES_NAME: (SUBCONTRACT, SUBCONTRACTOR_NAME, LAST_ROW),
    }
    for name, (sheet, header, last) in sources.items():
        letter = get_column_letter(sheet.headers.index(header) + 1)
        ref = f"'{sheet.name}'!${letter}$2:${letter}${last}"
        wb.defined_names[name] = DefinedName(name, attr_text=ref)


def _prefill(ws: Worksheet, sheet: Sheet, prefill: Prefill) -> None:
    """Copy the ledger's rows and protect what the city filled (no password: it guides).

    The contractor may insert and delete rows on their own sheets; 契約 is the
    city's (one row, the contractor's columns open).
    """
    if sheet is CONTRACT:
        # Contractors never add contracts: the whole sheet is locked but their own columns.
        for i in range(1, len(sheet.columns) + 1):
            ws.column_dimensions[get_column_letter(i)].protection = Protection(locked=True)
    else:
        for i, col in enumerate(sheet.columns, start=1):
            if sheet.filler(col.header) is not Filler.CONTRACTOR:
                ws.column_dimensions[get_column_letter(i)].protection = Protection(locked=True)
    for r, values in enumerate(prefill.rows.get(sheet.name, ()), start=2):
        approved = sheet is SUBCONTRACT and cell_text(values.get("承認日")) != ""
        listed = sheet is REPORT  # an item row: its key and wording are fixed
        for i, col in enumerate(sheet.columns, start=1):
            cell = put(ws, r, i, values.get(col.header))
            locked = (
                approved
                or sheet.filler(col.header) is not Filler.CONTRACTOR
                or (listed and col.header not in _REPORT_OPEN)
            )
            cell.protection = Protection(locked=locked)
            # Centred vertically: a wrapped item's wording makes its row two or three lines tall.
            if col.choices:
                cell.alignment = Alignment(horizontal="center", vertical="center")
            elif col.filled_by is Filler.REFERENCE:
                cell.alignment = Alignment(wrap_text=True, vertical="center")
            else:
                cell.alignment = Alignment(vertical="center")
            if locked:
                cell.fill = LOCKED_FILL
            cell.border = BOX
        if listed and values.get(ITEM_HEADER):
            ws.row_dimensions[r].height = text_height(
                str(values[ITEM_HEADER]), REFERENCE_WIDTH + 10
            )
    # The city's sheets (契約, 項目調整) take no new rows from the contractor.
    protect(ws, rows=sheet.filled_by is not Filler.CITY)
