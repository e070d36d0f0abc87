"""The reading sheets of the input workbook: 記入方法 (instructions), 確認項目一覧, 記入例.

Plain Japanese for a contractor who has never seen the rules; the colours
that say who fills what are defined here and used by ``blank``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from hino_forms.contractor.prefill import Prefill
from hino_forms.forms.adjust import checklist_for
from hino_forms.forms.checklists import load_checklist
from hino_forms.models import Form, ItemAdjustment
from hino_forms.workbook.schema import (
    CONTRACT,
    SHEETS,
    SUBCONTRACT,
    TIMING_MARKS,
    Column,
    Filler,
    Kind,
    Sheet,
)
from hino_forms.xlsx import (
    BOX,
    DATE_FORMAT,
    display_width,
    header_cell,
    print_setup,
)

GUIDE_SHEET, ITEMS_SHEET, EXAMPLE_SHEET = "記入方法", "確認項目一覧", "記入例"
CITY_FILL = PatternFill("solid", fgColor="BDD7EE")  # header of a column the city fills
CONTRACTOR_FILL = PatternFill("solid", fgColor="F8CBAD")  # header of a column the contractor fills
LOCKED_FILL = PatternFill("solid", fgColor="D9D9D9")  # pre-filled, protected; reference columns
REFERENCE_WIDTH = 80  # the 確認項目 column: about 40 Japanese characters a line
_FILLS = {Filler.CITY: CITY_FILL, Filler.CONTRACTOR: CONTRACTOR_FILL, Filler.REFERENCE: LOCKED_FILL}


def header_fill(sheet: Sheet, col: Column) -> PatternFill:
    """The colour of a header: who fills the column."""
    return _FILLS[sheet.filler(col.header)]


def column_width(col: Column) -> float:
    """Wide enough for the header and the example, within reason."""
    widest = max(display_width(col.header), display_width(col.example), 6)
    if col.kind is Kind.DATE:
        widest = max(widest, 11)
    elif col.header.endswith(("名称", "氏名")):
        widest = max(widest, 20)  # company and person names run long; examples may be blank
    elif col.filled_by is Filler.REFERENCE:
        widest = REFERENCE_WIDTH  # an item's wording, wrapped
    elif col.kind is Kind.TEXT:
        widest = max(widest, 10)
    return min(widest + 3, REFERENCE_WIDTH + 3)


def text_height(text: str, width: int) -> float:
    """Row height (points) for ``text`` wrapped in a column ``width`` wide: no app re-fits it."""
    return 16 * max(1, -(-display_width(text) // width)) + 2


def protect(ws: Worksheet, *, rows: bool = False) -> None:
    """Sheet protection without a password; widths, heights and sorting stay free.

    ``rows``: the contractor may insert and delete rows (their own sheets);
    locked cells still cannot be changed or deleted.
    """
    p = ws.protection
    p.sheet = True
    p.formatColumns = p.formatRows = p.formatCells = False
    p.sort = p.autoFilter = False
    if rows:
        p.insertRows = p.deleteRows = False


def write_items(ws: Worksheet, adjustments: Sequence[ItemAdjustment] = ()) -> None:
    """確認項目一覧: every item of forms 4 and 5 with its wording (read-only, never read back).

    With the contract's 項目調整 (a pre-filled workbook), each variant is listed as the
    contract's forms print it: adjusted and numbered 1…N, as the 報告 sheet numbers it.
    """
    headers = ("様式", "項目番号", "時期", "根拠", "確認項目")
    widths = (8, 9, 10, 11, 80)
    ws.cell(
        1, 1, "確認項目一覧（報告シートの「項目番号」はこの番号です。このシートは読み込まれません）"
    )
    ws.cell(1, 1).font = Font(bold=True, size=12)
    for i, (h, w) in enumerate(zip(headers, widths), start=1):
        header_cell(ws, 2, i, h, LOCKED_FILL)
        ws.column_dimensions[get_column_letter(i)].width = w
    r = 2
    wrap = Alignment(wrap_text=True, vertical="top")
    listed = [
        (form, item.no, "".join(item.timings), item)
        for form in (4, 5)
        for item in load_checklist(form)
    ]
    if adjustments:
        listed = [
            (form, item.no, mark, item)
            for form in (Form.IMPORTANT_INFO_REPORT, Form.MY_NUMBER_REPORT)
            for mark in TIMING_MARKS
            for item in checklist_for(form, mark, adjustments)
        ]
    for form, no, marks, item in listed:
        r += 1
        values = (int(form), no, marks, item.section, item.text)
        for i, value in enumerate(values, start=1):
            cell = ws.cell(r, i, value)
            cell.border = BOX
            cell.alignment = wrap
        ws.row_dimensions[r].height = text_height(item.text, 78)
    ws.cell(r + 2, 1, "　".join(f"{Form(f).label}: {Form(f).title}" for f in (4, 5)))
    ws.freeze_panes = "A3"
    print_setup(ws, landscape=False)
    ws.print_title_rows = "2:2"
    protect(ws)


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
            "実施項目": "全項目",
        },
        {
            "契約番号": "R7-001",
            "再委託先名称": "有限会社たまサポート",
            "研修名": "情報セキュリティ研修",
            "実施日": "2025/3/21",
            "実施方法": "e-ラーニング",
            "講師": "小林 五月",
            "研修内容": "守秘義務、重要情報の取扱い",
            "実施項目": "1-16",
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
        {
            "契約番号": "R7-001",
            "様式": "4",
            "時期": "①",
            "項目番号": "1",
            "確認項目": load_checklist(4)[0].text,
            "回答": "はい",
        },
        {
            "契約番号": "R7-001",
            "様式": "4",
            "時期": "①",
            "項目番号": "2",
            "確認項目": load_checklist(4)[1].text,
            "回答": "はい",
            "備考": "鍵付きの書庫で保管",
        },
    ),
    "項目調整": (
        {
            "契約番号": "R7-001",
            "様式": "4",
            "項目番号": "23",
            "操作": "削除",
        },
        {
            "契約番号": "R7-001",
            "様式": "5",
            "操作": "追加",
            "文言": "窓口で受け取った通知カードの写しは、当日中に市へ引き渡している。",
            "該当項": "10(2)",
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


def write_example(ws: Worksheet) -> None:
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
        owner = f"{sheet.filled_by.label}が記入"
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
    print_setup(ws)
    protect(ws)


def _example_standing(ws: Worksheet, r: int, sheet: Sheet) -> int:
    """The example as header | value pairs, one column per row; returns the last row used."""
    [example] = EXAMPLE_ROWS[sheet.name]
    for col in sheet.columns:
        fill = header_fill(sheet, col)
        header_cell(ws, r, 1, col.header, fill)
        cell = ws.cell(r, 2, example_value(col, example.get(col.header, "")))
        cell.border = BOX
        cell.alignment = Alignment(horizontal="left")
        if col.kind is Kind.DATE:
            cell.number_format = DATE_FORMAT
        r += 1
    return r - 1


def _example_rows(ws: Worksheet, r: int, sheet: Sheet, widths: dict[int, float]) -> int:
    """Headers in a row and the examples below, as on the sheet; returns the last row used."""
    for i, col in enumerate(sheet.columns, start=1):
        fill = header_fill(sheet, col)
        header_cell(ws, r, i, col.header, fill)
        widths[i] = max(widths.get(i, 0), column_width(col))
    for example in EXAMPLE_ROWS[sheet.name]:
        r += 1
        for i, col in enumerate(sheet.columns, start=1):
            text = example.get(col.header, "")
            cell = ws.cell(r, i, example_value(col, text))
            cell.border = BOX
            if col.kind is Kind.DATE:
                cell.number_format = DATE_FORMAT
            if col.choices:
                cell.alignment = Alignment(horizontal="center")
            widths[i] = max(widths[i], min(display_width(text) + 3, 40))
    return r


# ---- the instructions (記入方法), in plain Japanese ----

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
    (
        "行の追加・削除",
        (
            "行は挿入・削除できます。記入済みの行は市の台帳の内容です。変わったところは書き換え、"
            "いなくなった従事者などの行は削除してください。削除した行は、市の担当課が確認してから"
            "台帳から削除します。"
        ),
    ),
    (
        "報告",
        (
            "「報告」シートには、提出する様式第4号・第5号の確認項目が1行ずつ並んでいます。"
            "「回答」を▼から選び、必要なら「備考」を書いてください。項目の文言は"
            "「確認項目一覧」シートにもあります。"
        ),
    ),
    ("日付", "日付は 2025/4/1 のように西暦で入力します。"),
    ("青い見出し", "市の担当課が記入する列です。"),
    ("オレンジの見出し", "受託者が記入する列です。"),
    (
        "灰色のセル",
        (
            "市が記入済みの内容と、参考に示す文言（確認項目など）です。保護されていて変更できません。"
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


def write_guide(ws: Worksheet, prefill: Prefill | None) -> None:
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
            "市の担当課が、台帳にある内容（契約、従事者、研修、再委託、廃棄、報告）を記入済みです。"
            f"各シートの「契約番号」は空欄でもかまいません（空欄は「{prefill.contract_id}」です）。"
        )
        if prefill.note:
            intro += prefill.note
        elif prefill.reports:
            listed = "、".join(
                f"{s.label}（{s.subcontractor + '・' if s.subcontractor else ''}"
                f"{s.date.isoformat() if s.date else '日付未定'}）"
                for s in prefill.reports
            )
            intro += f"「報告」シートには次の報告の確認項目を並べています: {listed}。"
    r = _paragraph(ws, r, "", intro, wrap)
    r += 1
    ws.cell(r, 1, "シートと記入する人").font = Font(bold=True, size=12)
    r += 1
    header_cell(ws, r, 1, "シート", CONTRACTOR_FILL)
    header_cell(ws, r, 2, "記入する人と内容（関係する様式）", CONTRACTOR_FILL)
    for sheet in SHEETS:
        r += 1
        _paragraph(ws, r, sheet.name, f"【{sheet.who}】 {sheet.purpose}", wrap, boxed=True)
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
    print_setup(ws, landscape=False)
    protect(ws)


def _paragraph(
    ws: Worksheet, r: int, label: str, text: str, wrap: Alignment, *, boxed: bool = False
) -> int:
    """A label in A and wrapped text in B, the row tall enough for the text (no app re-fits it)."""
    a, b = ws.cell(r, 1, label or None), ws.cell(r, 2, text)
    a.font = Font(bold=True)
    a.alignment = b.alignment = wrap
    if boxed:
        a.border = b.border = BOX
    lines = -(-display_width(text) // 84)  # B is 90 wide; a little slack for word breaks
    ws.row_dimensions[r].height = 16 * max(lines, 1) + 4
    return r
