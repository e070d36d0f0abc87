"""Excel → records + cell-addressed problems (SPEC §3); nothing else reads Excel.

``read_workbook`` reads every sheet of ``schema.SHEETS`` in one pass with
python-calamine (a Rust reader, ~10× faster than openpyxl's read-only mode:
10,000 contracts read in under a second instead of ~5 s; openpyxl still writes
every workbook the project makes), turns cells into values by their column's kind, and hands
the records to ``consistency`` for the cross-sheet rules. It guarantees to
its callers that every staff / training / disposal / answer / subcontractor
row it returns names a contract in ``Records.contracts`` and, when it names a
subcontractor, one of that contract's subcontractors: rows that do not are
reported and left out, so no later step meets a dangling reference.

Missing columns: a required column of 契約, or 契約番号 on another sheet
that has rows, makes the workbook unusable (InputUnusable, exit 2): nothing
could be tied to a contract. Another sheet missing a required column (e.g.
従事者 without 氏名) is an error for each contract named on that sheet, whose
rows there are left out; the other contracts still run.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.utils.datetime import from_excel
from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetVisibleEnum

from hino_forms.dates import DateFormatError, parse_date, parse_fiscal_year
from hino_forms.errors import InputUnusable
from hino_forms.models import (
    Answer,
    Cells,
    Contract,
    Disposal,
    Form,
    ItemAdjustment,
    Person,
    Problem,
    Records,
    Severity,
    StaffMember,
    Subcontractor,
    Timing,
    Training,
)
from hino_forms.workbook import limits, schema
from hino_forms.workbook.consistency import check_consistency
from hino_forms.workbook.schema import CONTRACT_ID, Kind
from hino_forms.xlsx import CONTROL, INVISIBLE, SPACES, cell_text, cleaned, needs_cleaning, text_of

# Half- and full-width spaces around headers and text cells are typing noise.
_SPACES = SPACES
_CFB_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")  # an OLE file: .xls, or an encrypted .xlsx
# Excel serial numbers of 1955–2119: a date cell that lost its date format.
_SERIALS = range(20000, 80000)
_CLASS = re.compile(r"^(?:機密性)?(?:区分)?\s*([123])$")
_FLAGS = {unicodedata.normalize("NFKC", f).lower(): True for f in schema.FLAG_TRUE}
_FLAGS.update({unicodedata.normalize("NFKC", f).lower(): False for f in schema.FLAG_FALSE})


def read_workbook(path: Path, within: limits.Limits | None = None) -> Records:
    """Read and check one input workbook; raises InputUnusable when it cannot be used at all.

    ``within``: the size limits (default: ``Limits`` and its environment variables).
    """
    tables, problems = _read_tables(Path(path), within or _limits())
    cells = Cells({name: t.letters for name, t in tables.items()})
    contracts, listed = _contracts(tables[schema.CONTRACT.name], problems)
    only = next(iter(listed)) if len(listed) == 1 else None
    subcontractors = _dedupe_subcontractors(
        _records(tables.get(schema.SUBCONTRACT.name), problems, only), cells, problems
    )
    raw = Records(
        contracts=tuple(contracts),
        subcontractors=tuple(subcontractors),
        staff=tuple(_records(tables.get(schema.STAFF.name), problems, only)),
        trainings=tuple(_records(tables.get(schema.TRAINING.name), problems, only)),
        disposals=tuple(_records(tables.get(schema.DISPOSAL.name), problems, only)),
        answers=tuple(_records(tables.get(schema.REPORT.name), problems, only)),
        problems=tuple(problems),
        adjustments=tuple(_records(tables.get(schema.ADJUSTMENT.name), problems, only)),
    )
    problems.extend(check_consistency(raw, cells=cells, listed_ids=listed))
    return _attached_only(raw, sorted(problems, key=lambda p: p.sort_key))


# ---------------------------------------------------------------- the file


@dataclass
class _Table:
    """One sheet as read: where each known header sits, and its non-blank data rows."""

    sheet: schema.Sheet
    index: dict[str, int] = field(default_factory=dict)  # header → 0-based column
    letters: dict[str, str] = field(default_factory=dict)  # header → column letter
    rows: list[tuple[int, Sequence[Any]]] = field(default_factory=list)  # (sheet row, values)
    formula_headers: list[str] = field(default_factory=list)  # header cells holding a formula error
    # (sheet row, 0-based column) → the control characters dropped from that cell, e.g. "U+0000".
    cleaned: dict[tuple[int, int], str] = field(default_factory=dict)
    # Per schema column: (column, 0-based index or None, parser, blank value); set once headers are read.
    plan: list[tuple[schema.Column, int | None, Callable[[Any, schema.Column], Any], Any]] = field(
        default_factory=list
    )


def _read_tables(path: Path, within: limits.Limits) -> tuple[dict[str, _Table], list[Problem]]:
    """All known sheets of the file, read in one pass (cell values only, formulas as last computed)."""
    book, scans = _open(path, within)
    problems: list[Problem] = []
    tables: dict[str, _Table] = {}
    try:
        titles = _sheet_titles(path, book)
        hidden = {m.name for m in book.sheets_metadata if m.visible is not SheetVisibleEnum.Visible}
        for title in book.sheet_names:
            name = titles[title]
            if name in schema.IGNORED_SHEETS:
                continue
            sheet = schema.SHEETS_BY_NAME.get(name)
            if sheet is None:
                shown = "非表示の" if title in hidden else ""
                problems.append(
                    _sheet_warning(
                        title, f"{shown}シート「{_printable(title)}」は使わないため読み飛ばします。"
                    )
                )
                continue
            if title in hidden:
                problems.append(
                    _sheet_warning(
                        name,
                        f"「{name}」シートは非表示ですが、このシートの内容を読み込みます。"
                        "Excel でシート見出しを右クリックし［再表示］で内容を確かめてください。",
                    )
                )
            data = book.get_sheet_by_name(title)
            end_row, end_col = data.end or (-1, -1)
            # An .xls has no zip to scan first; its extent is known once calamine has the sheet.
            limits.check_extent(path, title, end_row + 1, end_col + 1, within)
            # skip_empty_area=False: row 0 is Excel's row 1 and column 0 is A, so cells keep their address.
            rows = data.to_python(skip_empty_area=False)
            scan = scans.get(title)
            if scan and scan.hidden_causes:
                _mark_hidden_causes(rows, scan.hidden_causes)
            tables[name] = _read_table(sheet, rows, problems)
    # A damaged sheet shows only once its rows are read.
    except CalamineError as err:
        raise InputUnusable(
            f"{path.name} のシートを読み取れません（{type(err).__name__}）。"
            "Excel で開いて .xlsx 形式で保存し直してください"
        ) from None
    finally:
        book.close()
    if schema.CONTRACT.name not in tables:
        raise InputUnusable(
            f"{path.name} に「契約」シートがありません。契約シートを追加してください"
        )
    for table in tables.values():
        _require_columns(table, path, problems)
    return tables, problems


def _limits() -> limits.Limits:
    return limits.Limits.from_env(os.environ)


def _open(
    path: Path, within: limits.Limits
) -> tuple[CalamineWorkbook, dict[str, limits.SheetScan]]:
    if not path.exists():
        raise InputUnusable(f"入力ファイル {path} が見つかりません")
    if path.is_dir():
        raise InputUnusable(f"{path} はフォルダです。Excel ファイル（.xlsx）を指定してください")
    # Sizes first: calamine allocates for a sheet's furthest cell before we see a row.
    scans = limits.check_xlsx(path, within)
    try:
        return CalamineWorkbook.from_path(str(path)), scans
    except PasswordError:
        raise _password_protected(path) from None
    # A file that is not an .xlsx fails in many ways (zip, XML, encoding);
    # to the user they all mean the same thing.
    except Exception as err:  # noqa: BLE001
        if _is_ole(path):  # an .xls calamine cannot read, or encryption it did not recognise
            raise InputUnusable(
                f"{path.name} は Excel ブックとして読めません。パスワードで保護（暗号化）されているか、"
                "古い形式の壊れたファイルです。保護を解除し、Excel で .xlsx 形式で保存し直してください"
            ) from None
        raise InputUnusable(
            f"{path.name} は Excel ブック（.xlsx）として読めません（{type(err).__name__}）。"
            "Excel で開いて .xlsx 形式で保存し直してください"
        ) from None


def _password_protected(path: Path) -> InputUnusable:
    return InputUnusable(
        f"{path.name} はパスワードで保護（暗号化）されているため読めません。"
        "Excel で開き［ファイル］→［情報］→［ブックの保護］→［パスワードを使用して暗号化］で"
        "パスワードを消してから保存し、その写しを指定してください"
    )


def _is_ole(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(len(_CFB_MAGIC)) == _CFB_MAGIC
    except OSError:
        return False


def _sheet_titles(path: Path, book: CalamineWorkbook) -> dict[str, str]:
    """Each sheet's title → the name it is matched by; two titles matching one name are refused.

    「契約」 and 「契約　」 (a trailing full-width space), or 「報告」 and 「報告 」, look
    alike in Excel's tabs: reading either one silently would be a guess.
    """
    names: dict[str, str] = {}
    seen: dict[str, str] = {}
    for title in book.sheet_names:
        name = _clean_name(title)
        names[title] = name
        if name in seen and name in schema.SHEETS_BY_NAME:  # two 記入方法 sheets harm nothing
            raise InputUnusable(
                f"{path.name} に「{name}」と読めるシートが2つあります（"
                f"「{_printable(seen[name])}」と「{_printable(title)}」。空白・全角半角・見えない文字だけの違い）。"
                "使わない方を削除するか名前を変えてください"
            )
        seen.setdefault(name, title)
    return names


def _clean_name(text: str) -> str:
    """A sheet name or header as matched: no invisible or control characters, NFKC, trimmed."""
    text = CONTROL.sub("", "".join(ch for ch in text if ch not in INVISIBLE))
    return unicodedata.normalize("NFKC", text).strip(_SPACES)


def _printable(text: str) -> str:
    """``text`` for a message: spaces and invisible characters shown, so two look-alikes differ."""
    shown = []
    for ch in text:
        if ch == "\u3000":
            shown.append("［全角空白］")
        elif ch == " ":
            shown.append("［空白］")
        elif ch in INVISIBLE or CONTROL.match(ch):
            shown.append(f"［U+{ord(ch):04X}］")
        else:
            shown.append(ch)
    return "".join(shown)


class _Unreadable:
    """A cell that reads as blank but is not: an error value (#REF! …) or a formula without its result."""

    def __init__(self, error: str) -> None:
        self.error = error  # "#REF!" …, or limits.NO_RESULT / limits.EMPTY_RESULT for a formula

    def __str__(self) -> str:
        return "" if self.error in (limits.NO_RESULT, limits.EMPTY_RESULT) else self.error

    @property
    def empty_result(self) -> bool:
        """A formula whose result is "": blank, but a required cell should say it is a formula."""
        return self.error == limits.EMPTY_RESULT

    def message(self, header: str) -> str:
        """Why the cell under ``header`` cannot be read, and what to do (Japanese)."""
        if self.empty_result:
            return (
                f"「{header}」は数式で、その結果が空欄です。"
                "数式の参照先に値を入力するか、値を直接入力してください。"
            )
        if self.error:
            return (
                f"「{header}」が数式のエラー値 {self.error} になっています。"
                "参照先のセルや行が削除されていないか確かめ、数式を直すか値を入力してください。"
            )
        return (
            f"「{header}」は数式ですが、計算結果がファイルに保存されていません。"
            "Excel で開いて保存し直すか、値を入力してください。"
        )


def _mark_hidden_causes(rows: list[list[Any]], causes: dict[str, str]) -> None:
    """Put an _Unreadable where the sheet XML showed an error value or a formula without result."""
    for address, error in causes.items():
        letters, number = coordinate_from_string(address)
        r, c = number - 1, column_index_from_string(letters) - 1
        while len(rows) <= r:
            rows.append([])
        row = rows[r]
        if len(row) <= c:
            row.extend([""] * (c + 1 - len(row)))
        if _blank(row[c]):
            row[c] = _Unreadable(error)


def _read_table(
    sheet: schema.Sheet, rows: Iterable[Sequence[Any]], problems: list[Problem]
) -> _Table:
    table = _Table(sheet)
    it = iter(rows)
    header_row = next(it, ())
    for i, raw in enumerate(header_row):
        if type(raw) is _Unreadable:
            letter = get_column_letter(i + 1)
            table.formula_headers.append(f"{letter}1")
            problems.append(
                Problem(
                    Severity.WARNING,
                    sheet.name,
                    1,
                    None,
                    None,
                    None,
                    "見出しのセルが数式"
                    f"（{str(raw) or '結果が空か保存されていない数式'}）のため、この列は無視します。"
                    "見出しは文字で入力してください。",
                    column=letter,
                )
            )
            continue
        if _blank(raw):
            continue
        header = _clean_name(str(raw))
        if not header:
            continue
        letter = get_column_letter(i + 1)
        if header not in sheet.headers:
            problems.append(
                Problem(
                    Severity.WARNING,
                    sheet.name,
                    1,
                    header,
                    None,
                    None,
                    f"列「{header}」は使わないため無視します。"
                    f"見出しの誤字なら正しい名前（{'、'.join(sheet.headers)}）に直してください。",
                    column=letter,
                )
            )
        elif header in table.index:
            problems.append(
                Problem(
                    Severity.WARNING,
                    sheet.name,
                    1,
                    header,
                    None,
                    None,
                    f"列「{header}」が2つあります。"
                    f"左の列（{table.letters[header]}列）を使い、この列は無視します。",
                    column=letter,
                )
            )
        else:
            table.index[header] = i
            table.letters[header] = letter
    table.plan = [
        (c, table.index.get(c.header), _PARSERS[c.kind], _BLANKS.get(c.kind))
        for c in sheet.read_columns
    ]
    for number, values in enumerate(it, start=2):
        if needs_cleaning(values):
            values = _clean_row(table, number, values)
        if values and not all(_blank(v) for v in values):
            table.rows.append((number, values))
    return table


def _clean_row(table: _Table, number: int, values: Sequence[Any]) -> list[Any]:
    """The row without invisible characters; Word's line breaks become newlines, other control
    characters are dropped and noted in ``table.cleaned`` for a warning at their cell."""
    out = list(values)
    for i, v in enumerate(out):
        if type(v) is str:
            out[i], dropped = cleaned(v)
            if dropped:
                table.cleaned[(number, i)] = dropped
    return out


def _require_columns(table: _Table, path: Path, problems: list[Problem]) -> None:
    """A missing required column: fatal on 契約 (SPEC §3); elsewhere the sheet's rows cannot be used."""
    sheet = table.sheet
    missing = [c.header for c in sheet.columns if c.required and c.header not in table.index]
    if not missing:
        return
    names = "、".join(f"「{h}」" for h in missing)
    if sheet is schema.CONTRACT or (table.rows and "契約番号" in missing):
        # Without 契約番号 no row of the sheet can be tied to a contract: nothing would be right.
        raise InputUnusable(
            f"{path.name} の「{sheet.name}」シートに必須の列 {names} がありません。"
            + (
                f"見出しのセル {'・'.join(table.formula_headers)} が数式のエラーか"
                "計算結果のない数式になっています。見出しを文字で入力してください"
                if table.formula_headers
                else "1行目に見出しを追加してください"
            )
        )
    if not table.rows:
        return
    # Each contract with rows here gets an error: its forms would silently miss these rows.
    ids = dict.fromkeys(
        _text(cid)
        for _, v in table.rows
        if not _blank(cid := _cell(table, v, "契約番号")) and type(cid) is not _Unreadable
    )
    for cid in ids:
        problems.append(
            Problem(
                Severity.ERROR,
                sheet.name,
                1,
                None,
                cid,
                None,
                f"必須の列 {names} がないため、契約「{cid}」の{sheet.name}"
                "シートの行を読めません。1行目に見出しを追加してください。",
            )
        )
    table.rows.clear()


def _sheet_warning(sheet: str, text: str) -> Problem:
    return Problem(Severity.WARNING, sheet, None, None, None, None, text)


# ---------------------------------------------------------------- cells


class _CellError(ValueError):
    """A cell that is filled but cannot be read as its column's kind (message in Japanese)."""


class _YearError(_CellError):
    """A year outside 2000–2100: a typing slip (2205/4/1), an error wherever it is."""


# What a lenient column's unreadable cell means for the row (SPEC §3).
_LENIENT_NOTE = {"実施日": "この研修は実施日が分からないため、様式第3号に記載されません。"}
_YEARS = range(2000, 2101)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip(_SPACES))


def _cell(table: _Table, values: Sequence[Any], header: str) -> Any:
    i = table.index.get(header)
    return values[i] if i is not None and i < len(values) else None


_text = text_of
_nfkc = cell_text


def _date(value: Any) -> date:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and int(value) in _SERIALS:
        serial: datetime = from_excel(value)  # openpyxl is untyped
        day = serial.date()
    else:
        try:
            day = parse_date(value)
        except DateFormatError as err:
            raise _CellError(str(err)) from None
    if day.year not in _YEARS:
        raise _YearError(
            f"{day.year}年は2000年〜2100年の範囲外です（入力の誤りではありませんか）。年を直してください"
        )
    return day


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    flag = _FLAGS.get(_nfkc(value).lower())
    if flag is None:
        raise _CellError(f"「{_text(value)}」は 有/無 で入力してください（はい/いいえ、○/× も可）")
    return flag


def _class(value: Any) -> int:
    m = _CLASS.match(_nfkc(value))
    if not m or isinstance(value, bool):
        raise _CellError(f"「{_text(value)}」は機密性区分として読めません（1・2・3 のいずれか）")
    return int(m[1])


def _choice(value: Any, choices: tuple[str, ...]) -> str:
    # NFKC folds full-width digits and circled ① to plain digits: compare folded forms.
    key = _nfkc(value).lower()
    for choice in choices:
        if unicodedata.normalize("NFKC", choice).lower() == key:
            return choice
    raise _CellError(f"「{_text(value)}」は {'・'.join(choices)} のいずれかで入力してください")


def _fiscal(value: Any) -> int:
    try:
        return parse_fiscal_year(value)
    except DateFormatError as err:
        raise _CellError(str(err)) from None


_PARSERS: dict[Kind, Callable[[Any, schema.Column], Any]] = {
    Kind.TEXT: lambda v, c: _text(v),
    Kind.DATE: lambda v, c: _date(v),
    Kind.FLAG: lambda v, c: _flag(v),
    Kind.CLASS: lambda v, c: _class(v),
    Kind.CHOICE: lambda v, c: _choice(v, c.choices),
    Kind.FISCAL_YEAR: lambda v, c: _fiscal(v),
    Kind.NUMBER_TEXT: lambda v, c: _nfkc(v),
}
# What a blank optional cell reads as.
_BLANKS: dict[Kind, Any] = {Kind.TEXT: "", Kind.FLAG: False, Kind.CHOICE: "", Kind.NUMBER_TEXT: ""}


def read_cell(column: schema.Column, value: Any) -> Any:
    """One non-blank cell read as ``column``'s kind, as the reader reads it; ValueError if it cannot be."""
    return _PARSERS[column.kind](value, column)


@dataclass
class _Row:
    """One data row of a sheet, read column by column; problems name the row's contract."""

    table: _Table
    number: int
    values: Sequence[Any]
    problems: list[Problem]
    contract_id: str | None = None
    subcontractor: str | None = None  # the row's 再委託先名称: whose row it is
    failed: bool = False  # a required cell is empty or unreadable: no record can be made
    # In a workbook of one contract, a blank 契約番号 on the other sheets means that contract.
    default_contract: str | None = None

    def error(self, header: str, text: str, severity: Severity = Severity.ERROR) -> None:
        sheet = self.table.sheet.name
        who = f"契約「{self.contract_id}」の" if self.contract_id else ""
        self.problems.append(
            Cells({sheet: self.table.letters}).problem(
                severity,
                sheet,
                self.number,
                header,
                self.contract_id,
                f"{who}{text}",
                subcontractor=self.subcontractor,
            )
        )

    def read(self) -> dict[str, Any]:
        """Every column of the sheet by header: parsed value, the kind's blank, or None."""
        out: dict[str, Any] = {}
        values, n = self.values, len(self.values)
        i = self.table.index.get(CONTRACT_ID)
        cid = values[i] if i is not None and i < n else None
        if _blank(cid):
            cid = self.default_contract
        self.contract_id = None if _blank(cid) or type(cid) is _Unreadable else _text(cid)
        i = self.table.index.get("再委託先名称")
        owner = values[i] if i is not None and i < n else None
        self.subcontractor = None if _blank(owner) or type(owner) is _Unreadable else _text(owner)
        cleaned = self.table.cleaned
        for column, i, parse, blank in self.table.plan:
            raw = values[i] if i is not None and i < n else None
            if column.header == CONTRACT_ID and _blank(raw):
                raw = self.default_contract
            if cleaned and i is not None and (self.number, i) in cleaned:
                self.error(
                    column.header,
                    f"「{column.header}」から表示できない制御文字（{cleaned[self.number, i]}）を"
                    "取り除きました。Word などから貼り付けた値なら内容を確かめてください。",
                    Severity.WARNING,
                )
            if type(raw) is _Unreadable:
                out[column.header] = blank
                if raw.empty_result and not column.required:
                    continue  # a formula computing "" in an optional cell: blank, as shown
                self.failed = self.failed or column.required
                self.error(column.header, raw.message(column.header))
                continue
            if raw is None or (type(raw) is str and not raw.strip(_SPACES)):
                out[column.header] = blank
                if column.required:
                    self.failed = True
                    hint = f"（{column.help}）" if column.help else ""
                    self.error(
                        column.header, f"「{column.header}」が空欄です。入力してください{hint}。"
                    )
                continue
            try:
                out[column.header] = parse(raw, column)
            except _CellError as err:
                out[column.header] = blank
                self.failed = self.failed or column.required
                lenient = column.lenient and not isinstance(err, _YearError)
                self.error(
                    column.header,
                    f"「{column.header}」を読めません: {err}。"
                    + (_LENIENT_NOTE.get(column.header, "") if lenient else ""),
                    Severity.WARNING if lenient else Severity.ERROR,
                )
        return out


# ---------------------------------------------------------------- records


def _rows(
    table: _Table | None, problems: list[Problem], default_contract: str | None = None
) -> Iterable[tuple[_Row, dict[str, Any]]]:
    for number, values in table.rows if table else ():
        row = _Row(table, number, values, problems, default_contract=default_contract)  # type: ignore[arg-type]
        yield row, row.read()


def _records(
    table: _Table | None, problems: list[Problem], default_contract: str | None
) -> list[Any]:
    out = []
    for row, v in _rows(table, problems, default_contract):
        if not row.failed and (record := _record(row, v)) is not None:
            out.append(record)
    return out


def _contracts(table: _Table, problems: list[Problem]) -> tuple[list[Contract], set[str]]:
    """The 契約 rows that can be read, and every 契約番号 listed (readable or not)."""
    contracts: dict[str, Contract] = {}
    listed: set[str] = set()
    for row, v in _rows(table, problems):
        cid = row.contract_id
        if cid is None:
            continue
        if cid in listed:
            first = contracts.get(cid)
            also = f"（{first.row}行目と重複）" if first else ""
            row.error(
                "契約番号", f"契約番号がほかの行と重複しています{also}。別の番号にしてください。"
            )
            continue
        listed.add(cid)
        if not row.failed:
            contracts[cid] = _record(row, v)
    return list(contracts.values()), listed


# The record each sheet's rows become (the columns' ``field`` names its attributes).
_RECORD_TYPES: dict[str, type[Any]] = {
    schema.CONTRACT.name: Contract,
    schema.STAFF.name: StaffMember,
    schema.TRAINING.name: Training,
    schema.SUBCONTRACT.name: Subcontractor,
    schema.DISPOSAL.name: Disposal,
    schema.REPORT.name: Answer,
    schema.ADJUSTMENT.name: ItemAdjustment,
}


def _record(row: _Row, v: dict[str, Any]) -> Any:
    """The record of one row, built from the schema's fields; None when the row cannot make one."""
    sheet = row.table.sheet
    fields: dict[str, Any] = {}
    people: dict[str, dict[str, Any]] = {}
    for column in sheet.read_columns:
        if "." in column.field:  # 責任者氏名 → officer.name: the one nested record is a Person
            outer, inner = column.field.split(".", 1)
            people.setdefault(outer, {})[inner] = v[column.header]
        elif column.field:
            fields[column.field] = v[column.header]
    fields.update({name: Person(**parts) for name, parts in people.items()})
    finish = _FINISH.get(sheet.name)
    done = finish(row, fields) if finish is not None else fields
    return None if done is None else _RECORD_TYPES[sheet.name](**done, row=row.number)


def _subcontractor_fields(row: _Row, fields: dict[str, Any]) -> dict[str, Any] | None:
    """A blank 機密性区分 is 1, with a warning (an unreadable one already has its error)."""
    if fields["confidentiality"] is None:
        if _blank(_cell(row.table, row.values, "機密性区分")):
            row.error(
                "機密性区分",
                "再委託先の「機密性区分」が空欄のため 1（一般情報）として扱います。"
                "重要情報を扱うなら 2 か 3 を入力してください。",
                Severity.WARNING,
            )
        fields["confidentiality"] = 1
    return fields


def _answer_fields(row: _Row, fields: dict[str, Any]) -> dict[str, Any] | None:
    """様式 as a number, 時期 as a Timing; a ② answer needs its 年度, others ignore it."""
    timing = Timing.from_mark(fields["timing"])
    if timing is Timing.FISCAL_YEAR and fields["fiscal_year"] is None:
        if _blank(_cell(row.table, row.values, "年度")):
            row.error(
                "年度",
                "時期が②（年度切替時）の回答は「年度」が必要です。2026 や 令和8年度 のように入力してください。",
            )
        return None
    fields.update(
        form=Form(int(fields["form"])),
        timing=timing,
        fiscal_year=fields["fiscal_year"] if timing is Timing.FISCAL_YEAR else None,
    )
    return fields


_FINISH: dict[str, Callable[[_Row, dict[str, Any]], dict[str, Any] | None]] = {
    schema.SUBCONTRACT.name: _subcontractor_fields,
    schema.REPORT.name: _answer_fields,
}


def _dedupe_subcontractors(
    subcontractors: list[Subcontractor], cells: Cells, problems: list[Problem]
) -> list[Subcontractor]:
    """One row per (契約番号, 再委託先名称): the name is how other sheets refer to it."""
    seen: dict[tuple[str, str], Subcontractor] = {}
    for s in subcontractors:
        key = (s.contract_id, s.name)
        if key in seen:
            problems.append(
                cells.problem(
                    Severity.ERROR,
                    schema.SUBCONTRACT.name,
                    s.row,
                    "再委託先名称",
                    s.contract_id,
                    f"契約「{s.contract_id}」の再委託先「{s.name}」が"
                    f"{seen[key].row}行目と重複しています。1社1行にしてください。",
                    subcontractor=s.name,
                )
            )
            continue
        seen[key] = s
    return list(seen.values())


def _attached_only(raw: Records, problems: list[Problem]) -> Records:
    """Drop rows whose contract or subcontractor is not in the records (already reported)."""
    ids = {c.contract_id for c in raw.contracts}
    subcontractor_keys = {(s.contract_id, s.name) for s in raw.subcontractors}

    def attached(r: Any) -> bool:
        return r.contract_id in ids and (
            not r.subcontractor or (r.contract_id, r.subcontractor) in subcontractor_keys
        )

    return Records(
        contracts=raw.contracts,
        subcontractors=tuple(s for s in raw.subcontractors if s.contract_id in ids),
        staff=tuple(filter(attached, raw.staff)),
        trainings=tuple(filter(attached, raw.trainings)),
        disposals=tuple(filter(attached, raw.disposals)),
        answers=tuple(filter(attached, raw.answers)),
        problems=tuple(problems),
        adjustments=tuple(a for a in raw.adjustments if a.contract_id in ids),
    )
