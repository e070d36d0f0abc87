"""The input workbook contractors fill (``init``): sheets, prompts, drop-downs, guidance, pre-fill.

Everything a contractor sees comes from ``schema.SHEETS`` (headers, help
texts, examples) plus the tables below: who fills which column, the worked
example, the instructions. Validation is a guide, not the check: the reader
(``workbook.py``) still checks every cell, so a value pasted past a drop-down
is reported with its cell.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from hino_forms.errors import BadOption, InputUnusable, OutputExists
from hino_forms.workbook.schema import CONTRACT, SHEETS, SUBCONTRACT, Column, Kind, Sheet

GUIDE_SHEET, EXAMPLE_SHEET = "記入方法", "記入例"
LAST_ROW = 1000  # validations and drop-down sources reach this row
DATE_FORMAT = "yyyy/m/d"
CONTRACT_IDS_NAME = "契約番号一覧"  # defined names: the drop-down sources
SUBCONTRACTOR_NAMES_NAME = "再委託先一覧"

# Who fills what. The city (担当課) owns the contract terms and the approval of
# subcontracting; the contractor names its own officer and deputy (§6(1)) and
# fills every other sheet.
CONTRACTOR_CONTRACT_COLUMNS = frozenset(
    ("責任者氏名", "責任者役職", "責任者連絡先", "代行者氏名", "代行者役職", "代行者連絡先")
)
CITY_SUBCONTRACT_COLUMNS = frozenset(("承認日", "承認番号"))
CONTRACTOR_SHEETS = ("従事者", "研修", "再委託", "廃棄", "報告")

CITY_FILL = PatternFill("solid", fgColor="BDD7EE")  # header of a column the city fills
CONTRACTOR_FILL = PatternFill("solid", fgColor="F8CBAD")  # header of a column the contractor fills
LOCKED_FILL = PatternFill("solid", fgColor="E7E6E6")  # pre-filled by the city, protected
_THIN = Side(style="thin", color="A6A6A6")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_DATE_MIN, _DATE_MAX = int(to_excel(date(2000, 1, 1))), int(to_excel(date(2100, 12, 31)))


def city_fills(sheet: str, header: str) -> bool:
    """True when the city (担当課), not the contractor, fills this column."""
    if sheet == CONTRACT.name:
        return header not in CONTRACTOR_CONTRACT_COLUMNS
    if sheet == SUBCONTRACT.name:
        return header in CITY_SUBCONTRACT_COLUMNS
    return False


@dataclass(frozen=True)
class SheetRow:
    """One non-blank data row of a sheet: its 1-based row number and its cells by header."""

    row: int
    values: dict[str, Any]
    letters: dict[str, str]  # header → column letter, for messages naming a cell

    @property
    def contract_id(self) -> str:
        return cell_text(self.values.get("契約番号"))

    def cell(self, header: str) -> str:
        """The address of ``header`` in this row, e.g. "C5" ("" when the sheet lacks the column)."""
        letter = self.letters.get(header)
        return f"{letter}{self.row}" if letter else ""


@dataclass(frozen=True)
class Prefill:
    """What ``init --from MASTER --contract ID`` copies: the contract's rows, by sheet."""

    contract_id: str
    rows: dict[str, tuple[dict[str, Any], ...]]

    @property
    def work_name(self) -> str:
        return cell_text(self.rows[CONTRACT.name][0].get("業務名"))


def cell_text(value: Any) -> str:
    """A cell value as comparable text: dates as ISO, 3.0 as "3", full-width folded, trimmed."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def sheet_rows(ws: Worksheet) -> tuple[list[str], list[SheetRow]]:
    """The headers of row 1 and the non-blank data rows below (headers trimmed and NFKC-folded)."""
    rows = ws.iter_rows(values_only=True)
    first = next(rows, ())
    headers = [cell_text(h) for h in first]
    letters = {h: get_column_letter(i) for i, h in enumerate(headers, start=1) if h}
    out: list[SheetRow] = []
    for number, values in enumerate(rows, start=2):
        if all(cell_text(v) == "" for v in values):
            continue
        out.append(SheetRow(number, {h: v for h, v in zip(headers, values) if h}, letters))
    return headers, out


def load_prefill(master: Path, contract_id: str) -> Prefill:
    """The rows of one contract in the city's master workbook (its 契約 row and 再委託 rows)."""
    try:
        wb = load_workbook(master, data_only=True)
    except (OSError, ValueError, KeyError) as err:
        raise InputUnusable(f"{master} を Excel ブックとして開けません（{err}）") from err
    if CONTRACT.name not in wb.sheetnames:
        raise InputUnusable(f"{master} に「契約」シートがありません")
    _, contracts = sheet_rows(wb[CONTRACT.name])
    wanted = cell_text(contract_id)
    found = [r.values for r in contracts if r.contract_id == wanted]
    if not found:
        known = "、".join(r.contract_id for r in contracts if r.contract_id) or "（なし）"
        raise BadOption(
            f"契約番号「{contract_id}」は {master} の「契約」シートにありません。"
            f"ある契約番号: {known}"
        )
    if len(found) > 1:
        raise BadOption(f"契約番号「{contract_id}」が {master} の「契約」シートに複数あります")
    subs: tuple[dict[str, Any], ...] = ()
    if SUBCONTRACT.name in wb.sheetnames:
        _, rows = sheet_rows(wb[SUBCONTRACT.name])
        subs = tuple(r.values for r in rows if r.contract_id == wanted)
    return Prefill(wanted, {CONTRACT.name: (found[0],), SUBCONTRACT.name: subs})


def write_input_workbook(out: Path, *, prefill: Prefill | None = None, force: bool = False) -> Path:
    """Write the input workbook to ``out`` (atomically); refuse an existing file without ``force``."""
    if out.exists() and not force:
        raise OutputExists(out)
    if out.suffix.lower() != ".xlsx":
        raise BadOption(f"出力ファイル名は .xlsx で終わる必要があります: {out}")
    wb = build_input_workbook(prefill)
    save_atomically(wb, out)
    return out


def save_atomically(wb: Workbook, out: Path) -> None:
    """Save beside ``out`` and rename, so an interrupted save never leaves half a workbook."""
    out.parent.mkdir(parents=True, exist_ok=True)
    # Not mkstemp: its 0600 mode would stick to the workbook the city shares.
    tmp = out.with_name(f".{out.stem}.{os.getpid()}.tmp.xlsx")
    try:
        wb.save(tmp)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def build_input_workbook(prefill: Prefill | None = None) -> Workbook:
    """The whole workbook: 記入方法, the six input sheets of SHEETS, then 記入例."""
    wb = Workbook()
    wb.remove(wb.active)
    _write_guide(wb.create_sheet(GUIDE_SHEET), prefill)
    for sheet in SHEETS:
        ws = wb.create_sheet(sheet.name)
        _layout(ws, sheet)
        _validate(ws, sheet)
        if prefill is not None:
            _prefill(ws, sheet, prefill)
    _write_example(wb.create_sheet(EXAMPLE_SHEET))
    _define_sources(wb, prefill)
    wb.active = 0  # opens on the instructions
    return wb


def display_width(text: str) -> int:
    """Width in half-width characters: full-width (Japanese) characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


def header_cell(ws: Worksheet, row: int, col: int, text: str, fill: PatternFill) -> None:
    """A bold, filled, boxed header cell."""
    c = ws.cell(row, col, text)
    c.font = Font(bold=True)
    c.fill = fill
    c.border = _BOX
    c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _layout(ws: Worksheet, sheet: Sheet) -> None:
    """Headers in row 1, frozen below; widths; date formats; print set-up."""
    for i, col in enumerate(sheet.columns, start=1):
        fill = CITY_FILL if city_fills(sheet.name, col.header) else CONTRACTOR_FILL
        header_cell(ws, 1, i, col.header, fill)
        letter = get_column_letter(i)
        dim = ws.column_dimensions[letter]
        dim.width = column_width(col)
        # A column style, not 999 styled cells: new cells typed in the column
        # inherit it in Excel and LibreOffice, and the sheet stays small.
        dim.protection = Protection(locked=False)
        if col.kind is Kind.DATE:
            dim.number_format = DATE_FORMAT
        elif col.header == "契約番号":
            dim.number_format = "@"  # typed 001 stays 001, the same text on every sheet
        if col.choices:
            dim.alignment = Alignment(horizontal="center")
    ws.row_dimensions[1].height = 30
    ws.freeze_panes = "A2"
    ws.print_title_rows = "1:1"
    _print_setup(ws)


def column_width(col: Column) -> float:
    """Wide enough for the header and the example, within reason."""
    widest = max(display_width(col.header), display_width(col.example), 6)
    if col.kind is Kind.DATE:
        widest = max(widest, 11)
    elif col.header.endswith(("名称", "氏名")):
        widest = max(widest, 20)  # company and person names run long; examples may be blank
    elif col.kind is Kind.TEXT:
        widest = max(widest, 10)
    return min(widest + 3, 36)


def prompt_for(sheet: Sheet, col: Column) -> tuple[str, str]:
    """The input message of a column: (title ≤ 32 characters, text ≤ 255 characters)."""
    who = "市が記入" if city_fills(sheet.name, col.header) else "受託者が記入"
    title = f"{col.header}（{'必須・' if col.required else ''}{who}）"
    lines = [col.help] if col.help else []
    if col.header == "契約番号" and sheet.name != CONTRACT.name:
        lines.append("▼から選べます（「契約」シートの契約番号）。")
    elif col.header == "再委託先名称" and sheet.name != SUBCONTRACT.name:
        lines.append("▼から選べます（「再委託」シートの名称）。")
    elif col.choices:
        lines.append("▼から選んでください: " + "・".join(col.choices))
    elif col.kind is Kind.DATE:
        lines.append("日付は 2025/4/1 のように入力します。")
    if col.example:
        lines.append(f"例: {col.example}")
    return title[:32], "\n".join(lines)[:255]


def _validate(ws: Worksheet, sheet: Sheet) -> None:
    """One validation per column: its input message, and its drop-down or date rule."""
    for i, col in enumerate(sheet.columns, start=1):
        letter = get_column_letter(i)
        title, prompt = prompt_for(sheet, col)
        dv = _rule_for(sheet, col)
        dv.promptTitle, dv.prompt, dv.showInputMessage = title, prompt, True
        dv.allow_blank = True
        dv.add(f"{letter}2:{letter}{LAST_ROW}")
        ws.add_data_validation(dv)


def _rule_for(sheet: Sheet, col: Column) -> DataValidation:
    """The data rule of a column (a bare input message when anything goes)."""
    if col.header == "契約番号" and sheet.name != CONTRACT.name:
        return _stop(
            DataValidation(type="list", formula1=CONTRACT_IDS_NAME),
            "「契約」シートにある契約番号を▼から選んでください。",
        )
    if col.header == "再委託先名称" and sheet.name != SUBCONTRACT.name:
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
        CONTRACT_IDS_NAME: (CONTRACT, "契約番号", contract_rows),
        SUBCONTRACTOR_NAMES_NAME: (SUBCONTRACT, "再委託先名称", LAST_ROW),
    }
    for name, (sheet, header, last) in sources.items():
        letter = get_column_letter(sheet.headers.index(header) + 1)
        ref = f"'{sheet.name}'!${letter}$2:${letter}${last}"
        wb.defined_names[name] = DefinedName(name, attr_text=ref)


def _prefill(ws: Worksheet, sheet: Sheet, prefill: Prefill) -> None:
    """Copy the city's rows and protect them (no password: it guides, it does not lock out)."""
    rows = prefill.rows.get(sheet.name, ())
    if sheet.name == CONTRACT.name:
        # Contractors never add contracts: the whole sheet is locked but their own columns.
        for i in range(1, len(sheet.columns) + 1):
            ws.column_dimensions[get_column_letter(i)].protection = Protection(locked=True)
    elif sheet.name == SUBCONTRACT.name:
        for i, col in enumerate(sheet.columns, start=1):
            if city_fills(sheet.name, col.header):
                ws.column_dimensions[get_column_letter(i)].protection = Protection(locked=True)
    for r, values in enumerate(rows, start=2):
        approved = sheet.name == SUBCONTRACT.name and cell_text(values.get("承認日")) != ""
        for i, col in enumerate(sheet.columns, start=1):
            value = values.get(col.header)
            cell = ws.cell(r, i, value)
            if isinstance(value, (date, datetime)):
                cell.number_format = DATE_FORMAT
            locked = approved or city_fills(sheet.name, col.header)
            cell.protection = Protection(locked=locked)
            if col.choices:
                cell.alignment = Alignment(horizontal="center")
            if locked:
                cell.fill = LOCKED_FILL
            cell.border = _BOX
    protect(ws)


def protect(ws: Worksheet) -> None:
    """Sheet protection without a password; column widths, row heights and sorting stay free."""
    p = ws.protection
    p.sheet = True
    p.formatColumns = p.formatRows = p.formatCells = False
    p.sort = p.autoFilter = False


# ---- the worked example (記入例): one fictional contract, consistent with every rule ----

_CONTRACT_EXAMPLE = {c.header: c.example for c in CONTRACT.columns}
_CONTRACT_EXAMPLE.update({"解除日": "", "再委託": "有"})
EXAMPLE_ROWS: dict[str, tuple[dict[str, str], ...]] = {
    "契約": (_CONTRACT_EXAMPLE,),
    "従事者": (
        {
            "契約番号": "R7-001",
            "氏名": "高橋 三郎",
            "所属": "公共システム部",
            "役割": "窓口受付",
            "重要情報取扱": "有",
            "特定個人情報取扱": "無",
            "研修受講日": "2025/3/20",
        },
        {
            "契約番号": "R7-001",
            "氏名": "井上 七海",
            "所属": "公共システム部",
            "役割": "窓口受付",
            "重要情報取扱": "有",
            "特定個人情報取扱": "無",
            "研修受講日": "2025/3/20",
        },
        {
            "契約番号": "R7-001",
            "再委託先名称": "有限会社たまサポート",
            "氏名": "伊藤 六子",
            "所属": "入力課",
            "役割": "データ入力",
            "重要情報取扱": "有",
            "特定個人情報取扱": "無",
            "研修受講日": "2025/3/21",
        },
    ),
    "研修": (
        {
            "契約番号": "R7-001",
            "研修名": "情報セキュリティ研修",
            "実施日": "2025/3/20",
            "実施方法": "集合研修",
            "講師": "情報セキュリティ対策責任者 鈴木 一郎",
            "研修内容": "守秘義務、重要情報の取扱い、事故時の報告",
        },
        {
            "契約番号": "R7-001",
            "再委託先名称": "有限会社たまサポート",
            "研修名": "情報セキュリティ研修",
            "実施日": "2025/3/21",
            "実施方法": "e-ラーニング",
            "講師": "小林 五月",
            "研修内容": "守秘義務、重要情報の取扱い",
        },
    ),
    "再委託": ({c.header: c.example for c in SUBCONTRACT.columns},),
    "廃棄": (
        {
            "契約番号": "R7-001",
            "資料名": "申請書控え",
            "区分": "紙",
            "媒体": "紙",
            "数量": "120枚",
            "方法": "廃棄",
            "具体的方法": "裁断",
            "実施日": "2026/3/31",
            "実施者": "高橋 三郎",
            "立会者": "日野 太郎",
        },
    ),
    "報告": (
        {"契約番号": "R7-001", "様式": "4", "時期": "①", "項目番号": "1", "回答": "はい"},
        {
            "契約番号": "R7-001",
            "様式": "4",
            "時期": "①",
            "項目番号": "2",
            "回答": "はい",
            "備考": "鍵付きの書庫で保管",
        },
    ),
}


def example_value(col: Column, text: str) -> Any:
    """An example cell as a contractor's Excel would hold it: dates as dates, classes as numbers."""
    if not text:
        return None
    if col.kind is Kind.DATE:
        y, m, d = (int(x) for x in text.split("/"))
        return date(y, m, d)
    if col.kind is Kind.CLASS or (col.kind is Kind.CHOICE and text.isascii() and text.isdigit()):
        return int(text)
    return text


def _write_example(ws: Worksheet) -> None:
    """Each input sheet's headers with fictional example rows; the reader skips this sheet.

    契約 (22 columns, filled by the city) is shown standing up, header beside
    value, so the page stays readable; the contractor's sheets are shown as
    they look, one row per person or record.
    """
    ws.cell(
        1, 1, "記入例（架空の例です。このシートは読み込まれません。入力は各シートへ）"
    ).font = Font(bold=True, size=14)
    widths: dict[int, float] = {1: 16, 2: 30}
    r = 3
    for sheet in SHEETS:
        owner = "市の担当課が記入" if sheet.name == CONTRACT.name else "受託者が記入"
        ws.cell(r, 1, f"■ {sheet.name}シート（{owner}）　{sheet.purpose}").font = Font(
            bold=True, size=12
        )
        r += 1
        if sheet.name == CONTRACT.name:
            ws.cell(r, 1, "実際のシートでは見出しが1行目に横に並び、1つの契約が1行になります。")
            r = _example_standing(ws, r + 1, sheet)
        else:
            r = _example_rows(ws, r, sheet, widths)
        r += 2
    for i, width in widths.items():
        ws.column_dimensions[get_column_letter(i)].width = width
    _print_setup(ws)
    protect(ws)


def _example_standing(ws: Worksheet, r: int, sheet: Sheet) -> int:
    """The example as header | value pairs, one column per row; returns the last row used."""
    [example] = EXAMPLE_ROWS[sheet.name]
    for col in sheet.columns:
        fill = CITY_FILL if city_fills(sheet.name, col.header) else CONTRACTOR_FILL
        header_cell(ws, r, 1, col.header, fill)
        cell = ws.cell(r, 2, example_value(col, example.get(col.header, "")))
        cell.border = _BOX
        cell.alignment = Alignment(horizontal="left")
        if col.kind is Kind.DATE:
            cell.number_format = DATE_FORMAT
        r += 1
    return r - 1


def _example_rows(ws: Worksheet, r: int, sheet: Sheet, widths: dict[int, float]) -> int:
    """Headers in a row and the examples below, as on the sheet; returns the last row used."""
    for i, col in enumerate(sheet.columns, start=1):
        fill = CITY_FILL if city_fills(sheet.name, col.header) else CONTRACTOR_FILL
        header_cell(ws, r, i, col.header, fill)
        widths[i] = max(widths.get(i, 0), column_width(col))
    for example in EXAMPLE_ROWS[sheet.name]:
        r += 1
        for i, col in enumerate(sheet.columns, start=1):
            text = example.get(col.header, "")
            cell = ws.cell(r, i, example_value(col, text))
            cell.border = _BOX
            if col.kind is Kind.DATE:
                cell.number_format = DATE_FORMAT
            if col.choices:
                cell.alignment = Alignment(horizontal="center")
            widths[i] = max(widths[i], min(display_width(text) + 3, 40))
    return r


def _print_setup(ws: Worksheet, *, landscape: bool = True) -> None:
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


# ---- the instructions (記入方法), in plain Japanese ----

_WHO = {
    "契約": "市の担当課（責任者・代行者の6列は受託者）",
    "従事者": "受託者",
    "研修": "受託者",
    "再委託": "受託者（承認日・承認番号は市の担当課）",
    "廃棄": "受託者",
    "報告": "受託者",
}
_HOW_TO = (
    (
        "見出し",
        (
            "各シートの1行目の見出しは変えないでください。2行目から、1行に1件ずつ入力します。"
            "行が足りなくなったら、そのまま下の空いている行に続けて入力してください。"
        ),
    ),
    ("入力の案内", "セルを選ぶと、何を書くかと記入例が小さな枠で表示されます。"),
    (
        "選ぶ欄",
        (
            "「有・無」「機密性区分（1・2・3）」「区分（紙・電子）」「方法（返還・消去・廃棄）」"
            "「回答（はい・いいえ・該当なし）」「時期（①・②・③）」「様式（4・5）」は、"
            "セルの右に出る▼から選びます。一覧にない値は入力できません。"
        ),
    ),
    (
        "契約番号など",
        (
            "「契約番号」「再委託先名称」は▼から選べます。「契約」「再委託」シートに"
            "入力した値が一覧に出ます。受託者自身の従事者・研修などは「再委託先名称」を空欄にします。"
        ),
    ),
    ("日付", "日付は 2025/4/1 のように西暦で入力します。"),
    ("青い見出し", "市の担当課が記入する列です。"),
    ("オレンジの見出し", "受託者が記入する列です。"),
    (
        "灰色のセル",
        (
            "市が記入済みの内容です。保護されていて変更できません。"
            "誤りがあるときは、書き換えずに市の担当課へ連絡してください。"
        ),
    ),
    (
        "記入例",
        (
            "「記入例」シートに架空の記入例があります。「記入方法」「記入例」シートは"
            "読み込まれないので、書き込んでも影響はありません。"
        ),
    ),
    ("提出", "入力が終わったら保存し、このファイルを市の担当課へ返送してください。"),
)


def _write_guide(ws: Worksheet, prefill: Prefill | None) -> None:
    """The first sheet: who fills what, what each sheet is for, how to enter values."""
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 90
    wrap = Alignment(wrap_text=True, vertical="top")
    r = 1
    ws.cell(r, 1, "入力ブックの記入方法").font = Font(bold=True, size=16)
    r += 1
    intro = (
        "このブックに入力した内容から、日野市「外部委託における情報セキュリティ遵守事項」の"
        "様式第1号〜第7号を作成します。"
    )
    if prefill is not None:
        intro += (
            f"このブックは 契約番号「{prefill.contract_id}」（{prefill.work_name}）用です。"
            "市の担当課が契約の内容を記入済みです。"
        )
    r = _paragraph(ws, r, "", intro, wrap)
    r += 1
    ws.cell(r, 1, "シートと記入する人").font = Font(bold=True, size=12)
    r += 1
    header_cell(ws, r, 1, "シート", CONTRACTOR_FILL)
    header_cell(ws, r, 2, "記入する人と内容（関係する様式）", CONTRACTOR_FILL)
    for sheet in SHEETS:
        r += 1
        _paragraph(ws, r, sheet.name, f"【{_WHO[sheet.name]}】 {sheet.purpose}", wrap, boxed=True)
    r += 2
    ws.cell(r, 1, "入力のしかた").font = Font(bold=True, size=12)
    swatches = {
        "青い見出し": CITY_FILL,
        "オレンジの見出し": CONTRACTOR_FILL,
        "灰色のセル": LOCKED_FILL,
    }
    for label, text in _HOW_TO:
        r += 1
        _paragraph(ws, r, label, text, wrap, boxed=True)
        if label in swatches:  # the legend shows the colour itself
            ws.cell(r, 1).fill = swatches[label]
    _print_setup(ws, landscape=False)
    protect(ws)


def _paragraph(
    ws: Worksheet, r: int, label: str, text: str, wrap: Alignment, *, boxed: bool = False
) -> int:
    """A label in A and wrapped text in B, the row tall enough for the text (no app re-fits it)."""
    a, b = ws.cell(r, 1, label or None), ws.cell(r, 2, text)
    a.font = Font(bold=True)
    a.alignment = b.alignment = wrap
    if boxed:
        a.border = b.border = _BOX
    lines = -(-display_width(text) // 84)  # B is 90 wide; a little slack for word breaks
    ws.row_dimensions[r].height = 16 * max(lines, 1) + 4
    return r
