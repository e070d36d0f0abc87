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

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel
from python_calamine import CalamineError, CalamineWorkbook

from hino_forms.dates import DateFormatError, parse_date, parse_fiscal_year
from hino_forms.errors import InputUnusable
from hino_forms.models import (
    Answer,
    Cells,
    Contract,
    Disposal,
    Form,
    Person,
    Problem,
    Records,
    Severity,
    StaffMember,
    Subcontractor,
    Timing,
    Training,
)
from hino_forms.workbook import schema
from hino_forms.workbook.consistency import check_consistency
from hino_forms.workbook.schema import Kind

# Half- and full-width spaces around headers and text cells are typing noise.
_SPACES = " \u3000\t\r\n"
# Excel serial numbers of 1955–2119: a date cell that lost its date format.
_SERIALS = range(20000, 80000)
_CLASS = re.compile(r"^(?:機密性)?(?:区分)?\s*([123])$")
_FLAGS = {unicodedata.normalize("NFKC", f).lower(): True for f in schema.FLAG_TRUE}
_FLAGS.update({unicodedata.normalize("NFKC", f).lower(): False for f in schema.FLAG_FALSE})


def read_workbook(path: Path) -> Records:
    """Read and check one input workbook; raises InputUnusable when it cannot be used at all."""
    tables, problems = _read_tables(Path(path))
    cells = Cells({name: t.letters for name, t in tables.items()})
    contracts, listed = _contracts(tables[schema.CONTRACT.name], problems)
    subcontractors = _dedupe_subcontractors(
        _records(tables.get(schema.SUBCONTRACT.name), problems, _subcontractor), cells, problems
    )
    raw = Records(
        contracts=tuple(contracts),
        subcontractors=tuple(subcontractors),
        staff=tuple(_records(tables.get(schema.STAFF.name), problems, _staff)),
        trainings=tuple(_records(tables.get(schema.TRAINING.name), problems, _training)),
        disposals=tuple(_records(tables.get(schema.DISPOSAL.name), problems, _disposal)),
        answers=tuple(_records(tables.get(schema.REPORT.name), problems, _answer)),
        problems=tuple(problems),
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
    # Per schema column: (column, 0-based index or None, parser, blank value); set once headers are read.
    plan: list[tuple[schema.Column, int | None, Callable[[Any, schema.Column], Any], Any]] = field(
        default_factory=list
    )


def _read_tables(path: Path) -> tuple[dict[str, _Table], list[Problem]]:
    """All known sheets of the file, read in one pass (cell values only, formulas as last computed)."""
    book = _open(path)
    problems: list[Problem] = []
    tables: dict[str, _Table] = {}
    try:
        for title in book.sheet_names:
            name = title.strip(_SPACES)
            if name in schema.IGNORED_SHEETS or name in tables:
                continue
            sheet = schema.SHEETS_BY_NAME.get(name)
            if sheet is None:
                problems.append(
                    _sheet_warning(title, f"シート「{title}」は使わないため読み飛ばします。")
                )
                continue
            # skip_empty_area=False: row 0 is Excel's row 1 and column 0 is A, so cells keep their address.
            rows = book.get_sheet_by_name(title).to_python(skip_empty_area=False)
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


def _open(path: Path) -> CalamineWorkbook:
    if not path.exists():
        raise InputUnusable(f"入力ファイル {path} が見つかりません")
    if path.is_dir():
        raise InputUnusable(f"{path} はフォルダです。Excel ファイル（.xlsx）を指定してください")
    try:
        return CalamineWorkbook.from_path(str(path))
    # A file that is not an .xlsx fails in many ways (zip, XML, encoding);
    # to the user they all mean the same thing.
    except Exception as err:  # noqa: BLE001
        raise InputUnusable(
            f"{path.name} は Excel ブック（.xlsx）として読めません（{type(err).__name__}）。"
            "Excel で開いて .xlsx 形式で保存し直してください"
        ) from None


def _read_table(
    sheet: schema.Sheet, rows: Iterable[Sequence[Any]], problems: list[Problem]
) -> _Table:
    table = _Table(sheet)
    it = iter(rows)
    header_row = next(it, ())
    for i, raw in enumerate(header_row):
        if _blank(raw):
            continue
        header = str(raw).strip(_SPACES)
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
        (c, table.index.get(c.header), _PARSERS[c.kind], _BLANKS.get(c.kind)) for c in sheet.columns
    ]
    for number, values in enumerate(it, start=2):
        if values and not all(_blank(v) for v in values):
            table.rows.append((number, values))
    return table


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
            "1行目に見出しを追加してください"
        )
    if not table.rows:
        return
    # Each contract with rows here gets an error: its forms would silently miss these rows.
    ids = dict.fromkeys(
        _text(cid) for _, v in table.rows if not _blank(cid := _cell(table, v, "契約番号"))
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


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip(_SPACES))


def _cell(table: _Table, values: Sequence[Any], header: str) -> Any:
    i = table.index.get(header)
    return values[i] if i is not None and i < len(values) else None


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    return str(value).strip(_SPACES)


def _nfkc(value: Any) -> str:
    return unicodedata.normalize("NFKC", _text(value)).strip()


def _date(value: Any) -> date:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and int(value) in _SERIALS:
        serial: datetime = from_excel(value)  # openpyxl is untyped
        return serial.date()
    try:
        return parse_date(value)
    except DateFormatError as err:
        raise _CellError(str(err)) from None


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
        i = self.table.index.get("契約番号")
        cid = values[i] if i is not None and i < n else None
        self.contract_id = None if _blank(cid) else _text(cid)
        i = self.table.index.get("再委託先名称")
        owner = values[i] if i is not None and i < n else None
        self.subcontractor = None if _blank(owner) else _text(owner)
        for column, i, parse, blank in self.table.plan:
            raw = values[i] if i is not None and i < n else None
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
                self.error(column.header, f"「{column.header}」を読めません: {err}。")
        return out


# ---------------------------------------------------------------- records


def _rows(table: _Table | None, problems: list[Problem]) -> Iterable[tuple[_Row, dict[str, Any]]]:
    for number, values in table.rows if table else ():
        row = _Row(table, number, values, problems)  # type: ignore[arg-type]
        yield row, row.read()


def _records(
    table: _Table | None, problems: list[Problem], make: Callable[[_Row, dict[str, Any]], Any]
) -> list[Any]:
    out = []
    for row, v in _rows(table, problems):
        if not row.failed and (record := make(row, v)) is not None:
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
            contracts[cid] = _contract(row, v)
    return list(contracts.values()), listed


def _contract(row: _Row, v: dict[str, Any]) -> Contract:
    return Contract(
        contract_id=v["契約番号"],
        work_name=v["業務名"],
        department=v["担当課"],
        contractor_name=v["受託者名称"],
        contractor_address=v["受託者所在地"],
        representative=v["代表者職氏名"],
        concluded=v["契約締結日"],
        start=v["契約開始日"],
        end=v["契約終了日"],
        terminated=v["解除日"],
        confidentiality=v["機密性区分"],
        my_number=v["特定個人情報"],
        stores_important=v["重要情報の保存"],
        subcontracting=v["再委託"],
        system_development=v["システム開発"],
        officer=Person(v["責任者氏名"], v["責任者役職"], v["責任者連絡先"]),
        deputy=Person(v["代行者氏名"], v["代行者役職"], v["代行者連絡先"]),
        workplace=v["作業場所"],
        row=row.number,
    )


def _subcontractor(row: _Row, v: dict[str, Any]) -> Subcontractor:
    confidentiality = v["機密性区分"]
    if confidentiality is None and not _blank(_cell(row.table, row.values, "機密性区分")):
        confidentiality = 1  # unreadable: already an error
    elif confidentiality is None:
        confidentiality = 1
        row.error(
            "機密性区分",
            "再委託先の「機密性区分」が空欄のため 1（一般情報）として扱います。"
            "重要情報を扱うなら 2 か 3 を入力してください。",
            Severity.WARNING,
        )
    return Subcontractor(
        contract_id=v["契約番号"],
        name=v["再委託先名称"],
        address=v["再委託先所在地"],
        representative=v["再委託先代表者職氏名"],
        work=v["再委託業務内容"],
        reason=v["再委託理由"],
        start=v["再委託開始日"],
        end=v["再委託終了日"],
        confidentiality=confidentiality,
        my_number=v["特定個人情報"],
        stores_important=v["重要情報の保存"],
        officer_name=v["再委託先責任者氏名"],
        applied=v["申請日"],
        approved=v["承認日"],
        approval_no=v["承認番号"],
        row=row.number,
    )


def _dedupe_subcontractors(
    subs: list[Subcontractor], cells: Cells, problems: list[Problem]
) -> list[Subcontractor]:
    """One row per (契約番号, 再委託先名称): the name is how other sheets refer to it."""
    seen: dict[tuple[str, str], Subcontractor] = {}
    for s in subs:
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


def _staff(row: _Row, v: dict[str, Any]) -> StaffMember:
    return StaffMember(
        contract_id=v["契約番号"],
        subcontractor=v["再委託先名称"],
        name=v["氏名"],
        affiliation=v["所属"],
        role=v["役割"],
        handles_important=v["重要情報取扱"],
        handles_my_number=v["特定個人情報取扱"],
        trained_on=v["研修受講日"],
        row=row.number,
    )


def _training(row: _Row, v: dict[str, Any]) -> Training:
    return Training(
        contract_id=v["契約番号"],
        subcontractor=v["再委託先名称"],
        title=v["研修名"],
        held_on=v["実施日"],
        method=v["実施方法"],
        instructor=v["講師"],
        content=v["研修内容"],
        row=row.number,
    )


def _disposal(row: _Row, v: dict[str, Any]) -> Disposal:
    return Disposal(
        contract_id=v["契約番号"],
        subcontractor=v["再委託先名称"],
        item=v["資料名"],
        kind=v["区分"],
        medium=v["媒体"],
        quantity=v["数量"],
        method=v["方法"],
        detail=v["具体的方法"],
        done_on=v["実施日"],
        done_by=v["実施者"],
        witness=v["立会者"],
        row=row.number,
    )


def _answer(row: _Row, v: dict[str, Any]) -> Answer | None:
    timing = Timing.from_mark(v["時期"])
    if timing is Timing.FISCAL_YEAR and v["年度"] is None:
        if _blank(_cell(row.table, row.values, "年度")):
            row.error(
                "年度",
                "時期が②（年度切替時）の回答は「年度」が必要です。2026 や 令和8年度 のように入力してください。",
            )
        return None
    return Answer(
        contract_id=v["契約番号"],
        subcontractor=v["再委託先名称"],
        form=Form(int(v["様式"])),
        timing=timing,
        fiscal_year=v["年度"] if timing is Timing.FISCAL_YEAR else None,
        item_no=v["項目番号"],
        answer=v["回答"],
        note=v["備考"],
        row=row.number,
    )


def _attached_only(raw: Records, problems: list[Problem]) -> Records:
    """Drop rows whose contract or subcontractor is not in the records (already reported)."""
    ids = {c.contract_id for c in raw.contracts}
    subs = {(s.contract_id, s.name) for s in raw.subcontractors}

    def attached(r: Any) -> bool:
        return r.contract_id in ids and (
            not r.subcontractor or (r.contract_id, r.subcontractor) in subs
        )

    return Records(
        contracts=raw.contracts,
        subcontractors=tuple(s for s in raw.subcontractors if s.contract_id in ids),
        staff=tuple(filter(attached, raw.staff)),
        trainings=tuple(filter(attached, raw.trainings)),
        disposals=tuple(filter(attached, raw.disposals)),
        answers=tuple(filter(attached, raw.answers)),
        problems=tuple(problems),
    )
