"""openpyxl helpers every workbook the project reads back or writes shares.

One definition each of: a cell as comparable text (also the reader's
normaliser), text cleaned of the invisible and control characters Word pastes
(which openpyxl refuses to write), the width of Japanese text, a header cell, the print set-up,
text written so that it can never become a formula, and the atomic,
owner-only save.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from python_calamine import CalamineWorkbook

DATE_FORMAT = "yyyy/m/d"
# Half- and full-width spaces around headers and text cells are typing noise.
SPACES = " \u3000\t\r\n"
# What a spreadsheet may take for the start of a formula (OWASP "CSV injection"):
# = + - @, and a tab or CR before them.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Invisible characters pasted from the web or Word (BOM, zero-width space/joiners, word joiner,
# soft hyphen): dropped, so 「\ufeff契約番号」 is the header 契約番号.
INVISIBLE = frozenset("\ufeff\u200b\u200c\u200d\u2060\u00ad")
# Control characters no .xlsx or .docx may hold (openpyxl raises IllegalCharacterError):
# C0 except tab/LF/CR, DEL and C1. Word's manual line break arrives as a vertical tab.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CLEANING = str.maketrans({**dict.fromkeys(INVISIBLE), "\x0b": "\n", "\x0c": "\n"})
_THIN = Side(style="thin", color="A6A6A6")
BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def text_of(value: Any) -> str:
    """A cell value as text as typed: 3.0 as "3", a date-time at midnight as its ISO date, trimmed."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return (
            value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
        )
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip(SPACES)


def cleaned(text: str) -> tuple[str, str]:
    """``text`` without invisible characters, Word's line breaks (VT, FF) as newlines and other
    control characters dropped; and the dropped ones named ("U+0000・U+0007"), "" when none."""
    text = text.translate(_CLEANING)
    dropped = CONTROL.findall(text)
    if not dropped:
        return text, ""
    return CONTROL.sub("", text), "・".join(dict.fromkeys(f"U+{ord(ch):04X}" for ch in dropped))


def needs_cleaning(values: Sequence[Any]) -> bool:
    """True when a row of cell values may hold a character ``cleaned`` changes (cheap, per row)."""
    # repr() shows every control or invisible character as an escape.
    shown = repr(values)
    return "\\x" in shown or "\\u" in shown


def cell_text(value: Any) -> str:
    """A cell value as comparable text: ``text_of`` with full-width folded (NFKC); None is ""."""
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", text_of(value)).strip()


def display_width(text: str) -> int:
    """Width in half-width characters: wide and ambiguous (①, ○ in Japanese fonts) count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WFA" else 1 for ch in text)


@dataclass(frozen=True)
class SheetRow:
    """One non-blank data row of a sheet: its 1-based row number and its cells by header."""

    row: int
    values: dict[str, Any]
    letters: dict[str, str]  # header → column letter, for messages naming a cell

    def text(self, header: str) -> str:
        """``cell_text`` of the row's ``header`` ("" when blank or absent)."""
        return cell_text(self.values.get(header))

    def cell(self, header: str) -> str:
        """The address of ``header`` in this row, e.g. "C5" ("" when the sheet lacks the column)."""
        letter = self.letters.get(header)
        return f"{letter}{self.row}" if letter else ""


def sheet_rows(ws: Worksheet) -> tuple[list[str], list[SheetRow]]:
    """The headers of row 1 and the non-blank data rows below (headers trimmed and NFKC-folded)."""
    return table_rows(ws.iter_rows(values_only=True))


def table_rows(values: Iterable[Sequence[Any]]) -> tuple[list[str], list[SheetRow]]:
    """``sheet_rows`` over rows of cell values (from openpyxl, or python-calamine's to_python)."""
    rows = (_clean_row(v) if needs_cleaning(v) else v for v in values)
    first = next(rows, ())
    headers = [cell_text(h) for h in first]
    letters: dict[str, str] = {}
    for i, h in enumerate(headers, start=1):
        if h and h not in letters:  # a repeated header: the left column counts, as in the reader
            letters[h] = get_column_letter(i)
    index = {h: i for i, h in reversed(list(enumerate(headers))) if h}
    out: list[SheetRow] = []
    for number, values in enumerate(rows, start=2):
        if all(cell_text(v) == "" for v in values):
            continue
        cells = {h: values[i] if i < len(values) else None for h, i in index.items()}
        out.append(SheetRow(number, cells, letters))
    return headers, out


def _clean_row(values: Sequence[Any]) -> list[Any]:
    # Text read by python-calamine has Excel's _x000B_ decoded: openpyxl could not write it back.
    return [cleaned(v)[0] if isinstance(v, str) else v for v in values]


class Values:
    """A workbook's cell values by sheet, read with python-calamine (about ten times faster than
    openpyxl; formulas as last computed), and its 件名 (``init`` writes the contract there)."""

    def __init__(self, path: Path) -> None:
        self.book = CalamineWorkbook.from_path(str(path))
        self.sheetnames = [name.strip() for name in self.book.sheet_names]
        self._titles = dict(zip(self.sheetnames, self.book.sheet_names))
        self.subject = _subject(path)

    def rows(self, name: str) -> tuple[list[str], list[SheetRow]]:
        """``sheet_rows`` of the sheet ``name`` (its title trimmed of spaces)."""
        sheet = self.book.get_sheet_by_name(self._titles[name])
        return table_rows(sheet.to_python(skip_empty_area=False))

    def close(self) -> None:
        """Release the file."""
        self.book.close()


def _subject(path: Path) -> str:
    """The workbook's 件名 (docProps/core.xml): ``init`` writes the contract it was made for."""
    try:
        with zipfile.ZipFile(path) as z:
            root = ElementTree.fromstring(z.read("docProps/core.xml"))
    except (KeyError, OSError, zipfile.BadZipFile, ElementTree.ParseError):
        return ""
    found = root.find("{http://purl.org/dc/elements/1.1/}subject")
    return cell_text(found.text) if found is not None and found.text else ""


def is_formula_like(text: str) -> bool:
    """True for text a spreadsheet would take as the start of a formula."""
    return text.startswith(FORMULA_STARTS)


def put(ws: Worksheet, row: int, column: int, value: Any) -> Cell:
    """Write ``value`` into a cell; text stays text even when it starts like a formula.

    openpyxl turns any string starting with "=" into a live formula; text from a
    workbook (a contractor's, a ledger's) must never run in the city's Excel.
    Such text is stored as a string with Excel's quote prefix, so editing the
    cell keeps it text too. Dates get the project's date format.
    """
    cell = ws.cell(row, column)
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # python-calamine reads every number as a float: 4.0 is 様式 4
    if isinstance(value, str):
        cell.value = value
        cell.data_type = "s"
        if is_formula_like(value):
            cell.quotePrefix = True
    else:
        cell.value = value
        if isinstance(value, (date, datetime)):
            cell.number_format = DATE_FORMAT
    return cell


def append(ws: Worksheet, values: Iterable[Any]) -> None:
    """Append one row as ``Worksheet.append`` does, but text never becomes a formula (see ``put``)."""
    row: list[Any] = []
    for value in values:
        if isinstance(value, str):
            cell = Cell(ws, value=value)
            cell.data_type = "s"
            if is_formula_like(value):
                cell.quotePrefix = True
            row.append(cell)
        else:
            row.append(value)
    ws.append(row)


def header_cell(ws: Worksheet, row: int, col: int, text: str, fill: PatternFill) -> None:
    """A bold, filled, boxed header cell."""
    c = ws.cell(row, col, text)
    c.font = Font(bold=True)
    c.fill = fill
    c.border = BOX
    c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def print_setup(ws: Worksheet, *, landscape: bool = True, repeat_header: bool = False) -> None:
    """A4, fitted to the page width (as many pages down as needed), row 1 repeated if asked."""
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if repeat_header:
        ws.print_title_rows = "1:1"


def write_atomically(target: Path, write: Callable[[Path], object]) -> None:
    """Write ``target`` through a temporary file beside it and one rename: never half a file.

    The file is the owner's only (0600), as everything holding personal data
    must be: the temporary file is made 0600 from the start (mkstemp), so no
    other user can open it meanwhile. On failure nothing is left behind and an
    existing ``target`` is untouched.
    """
    target = Path(target)
    fd, name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def save_atomically(wb: Workbook, out: Path) -> None:
    """Save a workbook with ``write_atomically`` (owner-only, never half a file)."""
    write_atomically(out, wb.save)
