"""How big an input workbook may be, checked before any reader allocates for it.

python-calamine sizes a sheet by its furthest cell, so a 5 KB file with one
value in XFD1048576 asks for 17 billion cells, and a zip bomb inflates a
megabyte into gigabytes. ``check_xlsx`` looks first, cheaply: the zip's
central directory (declared sizes), then each sheet's XML streamed in chunks
(never inflating more than the limit) for its real furthest cell. The limits
are generous for real ledgers (200,000 rows of 25 columns pass) and can be
raised with environment variables on a machine with more memory.

The same scan notes the cells a value-only reader shows as blank although
they are not: error values (``#REF!``) and formulas saved without their
result. The reader names those causes instead of 「空欄です」.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from hino_forms.errors import BadOption, InputTooLarge, InputUnusable

ENV_MAX_CELLS = "HINO_FORMS_MAX_CELLS"
ENV_MAX_ROWS = "HINO_FORMS_MAX_ROWS"
ENV_MAX_MB = "HINO_FORMS_MAX_XLSX_MB"
ENV_MAX_RATIO = "HINO_FORMS_MAX_XLSX_RATIO"

_MIB = 1024 * 1024
_CHUNK = 8 * _MIB
_RATIO_FLOOR = 16 * _MIB
# Excel's last column (XFD): a letter beyond it is not a real cell.
EXCEL_COLUMNS = 16_384


@dataclass(frozen=True)
class Limits:
    """The most a workbook may hold; each sheet is counted from A1 to its furthest cell."""

    max_rows: int = 1_000_000  # per sheet
    max_cells: int = 10_000_000  # per sheet, rows × columns: 400,000 rows of 25 columns
    max_uncompressed_bytes: int = 1024 * _MIB  # the whole .xlsx once unzipped
    # A part inflating more than this many times its stored size is a zip bomb: real sheets
    # compress 5–50×, a bomb ~1000×. Judged only for parts over _RATIO_FLOOR unzipped.
    max_ratio: int = 400

    @classmethod
    def from_env(cls, env: Mapping[str, str], defaults: Limits | None = None) -> Limits:
        """``defaults`` (else the class's), each overridable by its environment variable (a
        positive integer)."""
        default = defaults or cls()
        return cls(
            max_rows=_env_int(env, ENV_MAX_ROWS, default.max_rows),
            max_cells=_env_int(env, ENV_MAX_CELLS, default.max_cells),
            max_uncompressed_bytes=_env_int(env, ENV_MAX_MB, default.max_uncompressed_bytes // _MIB)
            * _MIB,
            max_ratio=_env_int(env, ENV_MAX_RATIO, default.max_ratio),
        )


# What SheetScan.hidden_causes holds for a formula cell read as blank (an error cell holds its code).
NO_RESULT = ""  # the file stores no result: it was written by a program that does not calculate
EMPTY_RESULT = '=""'  # the formula's result is the empty string


@dataclass(frozen=True)
class SheetScan:
    """What the scan saw in one sheet: its extent and the cells that hide their cause."""

    rows: int  # the furthest row holding a cell (1-based; 0 when empty)
    columns: int  # the furthest column holding a cell (1 = A)
    # "B7" → "#REF!" for an error value, NO_RESULT or EMPTY_RESULT for a formula read as blank.
    hidden_causes: dict[str, str] = field(default_factory=dict)


def check_xlsx(path: Path, limits: Limits) -> dict[str, SheetScan]:
    """Refuse (InputTooLarge) an .xlsx too big for ``limits``; its sheets' scans by sheet name.

    A file that is not a zip (an .xls, a text file, a password-protected
    workbook) is not judged here: the reader reports it. Returns {} then.
    """
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        return {}
    with archive:
        _check_total(path, archive.infolist(), limits)
        scans: dict[str, SheetScan] = {}
        for sheet, member in _sheet_members(archive).items():
            try:
                scan = _scan_sheet(archive, member)
            # A member inflating to other than its declared size fails its CRC here.
            except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as err:
                raise InputUnusable(
                    f"{path.name} の「{sheet}」シートが壊れています（{type(err).__name__}）。"
                    "Excel で開いて .xlsx 形式で保存し直してください"
                ) from None
            _check_sheet(path, sheet, scan, limits)
            scans[sheet] = scan
        return scans


def check_extent(path: Path, sheet: str, rows: int, columns: int, limits: Limits) -> None:
    """Refuse a sheet reaching row ``rows`` and column ``columns`` (for readers of .xls)."""
    _check_sheet(path, sheet, SheetScan(rows, columns), limits)


# ---------------------------------------------------------------- the zip


def _check_total(path: Path, members: list[zipfile.ZipInfo], limits: Limits) -> None:
    total = sum(m.file_size for m in members)
    if total > limits.max_uncompressed_bytes:
        raise InputTooLarge(
            f"{path.name} は展開すると {total // _MIB:,} MB になり、上限 "
            f"{limits.max_uncompressed_bytes // _MIB:,} MB を超えるため読みません。"
            "不要なシート・画像・書式を削除して保存し直してください"
            f"（本当に必要なら環境変数 {ENV_MAX_MB} で上限を上げられます）"
        )
    for m in members:
        if m.file_size > _RATIO_FLOOR and m.file_size > limits.max_ratio * max(m.compress_size, 1):
            raise InputTooLarge(
                f"{path.name} の {m.filename} は {m.compress_size // 1024:,} KB から "
                f"{m.file_size // _MIB:,} MB に展開される（{m.file_size // max(m.compress_size, 1):,} 倍）"
                "異常な圧縮のため読みません（zip 爆弾の疑い）。Excel で開いて保存し直したものを使ってください"
                f"（正当なファイルなら環境変数 {ENV_MAX_RATIO} で上限 {limits.max_ratio} 倍を上げられます）"
            )


def _sheet_members(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → the zip member holding its XML, from workbook.xml and its relationships."""
    names = set(archive.namelist())
    book = _small_xml(archive, "xl/workbook.xml", names)
    rels = _small_xml(archive, "xl/_rels/workbook.xml.rels", names)
    if book is None or rels is None:
        return {}
    targets = {
        r.get("Id"): r.get("Target", "") for r in rels.iter() if r.tag.endswith("Relationship")
    }
    out: dict[str, str] = {}
    for sheet in book.iter():
        if not sheet.tag.endswith("}sheet"):
            continue
        rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
        target = targets.get(rid, "")
        member = (
            target.lstrip("/") if target.startswith("/") else posixpath.normpath("xl/" + target)
        )
        if member in names:
            out[sheet.get("name", "")] = member
    return out


def _small_xml(
    archive: zipfile.ZipFile, member: str, names: set[str]
) -> ElementTree.Element | None:
    # These parts are a few KB; the total was checked, and expat refuses entity expansion bombs.
    if member not in names:
        return None
    try:
        return ElementTree.fromstring(archive.read(member))
    except (ElementTree.ParseError, zipfile.BadZipFile, OSError, ValueError):
        return None  # the reader reports a damaged file


# ---------------------------------------------------------------- one sheet

# A row or cell start tag (any namespace prefix), self-closing or not.
_TAG = re.compile(rb"<(?:\w+:)?(row|c)(?=[\s/>])([^>]*?)(/?)>")
_R = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]*)(\d*)["']""")
_TYPE = re.compile(rb"""\st\s*=\s*["']([a-zA-Z]+)["']""")
# A cell with content: its attributes and what lies between <c …> and </c>.
_HINT = re.compile(rb"""<(?:\w+:)?f[\s/>]|\st\s*=\s*["']e["']""")
_CELL_END = re.compile(rb"</(?:\w+:)?c>")
_HEAD_REACH = 4096
_MAX_CAUSES = 100_000
_VALUE = re.compile(rb"<(?:\w+:)?v(?:\s[^>]*)?>([^<]*)</(?:\w+:)?v>")
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s/>]")
_ERROR_TYPE = re.compile(rb"""\st\s*=\s*["']e["']""")
# Excel, LibreOffice and openpyxl write every row and cell as <row r="7"> and <c r="B7" …>:
# then a few searches at C speed find the extent, without a Python step per cell.
_UNADDRESSED = re.compile(rb'<c(?! r=")[\s>/]|<row(?! r=")[\s>/]')
_ROW_TAGS = re.compile(rb'<row r="(\d+)"')
_CELL_ROWS = re.compile(rb'<c r="[A-Z]+(\d+)"')
_COLUMNS = re.compile(rb'<c r="([A-Z]+)')


def _scan_sheet(archive: zipfile.ZipFile, member: str) -> SheetScan:
    rows = columns = 0
    causes: dict[str, str] = {}
    prefixed: bool | None = None
    at = [0, 0]  # the reader's position: row, column
    for chunk in _whole_rows(archive, member):
        if prefixed is None:  # a writer that prefixes the namespace does so from the root on
            prefixed = re.search(rb"<\w+:worksheet[\s>]", chunk[:4096]) is not None
        plain = not prefixed and _UNADDRESSED.search(chunk) is None
        if plain:
            top = max(map(int, _ROW_TAGS.findall(chunk)), default=0)
            # A cell may name a row beyond its <row>'s (calamine believes the cell): rarely.
            if _beyond(top).search(chunk):
                top = max(top, *map(int, _CELL_ROWS.findall(chunk)))
            rows = max(rows, top)
            at = [rows, 0]  # where the next chunk goes on if it leaves out addresses
            letters = set(_COLUMNS.findall(chunk))
            if letters:
                furthest = max(letters, key=lambda c: (len(c), c)).decode("ascii")
                columns = max(columns, _column_number(furthest))
        else:
            rows, columns = _implicit_extent(chunk, rows, columns, at)
        if (
            b"<f" in chunk
            or b't="e"' in chunk
            or (not plain and (b":f" in chunk or _ERROR_TYPE.search(chunk)))
        ):
            _note_hidden_causes(chunk, causes)
    return SheetScan(rows, columns, causes)


def _beyond(top: int) -> re.Pattern[bytes]:
    """A search for a cell whose row number is greater than ``top``: longer, or as long and
    greater at its first differing digit."""
    digits = str(top)
    greater = [rf"\d{{{len(digits) + 1},}}"]
    for i, d in enumerate(digits):
        if d != "9":
            greater.append(rf"{digits[:i]}[{int(d) + 1}-9]\d{{{len(digits) - i - 1}}}")
    return re.compile(rb'<c r="[A-Z]+(?:' + "|".join(greater).encode() + rb')"')


def _whole_rows(archive: zipfile.ZipFile, member: str) -> Iterator[bytes]:
    """The sheet's XML in chunks that end after a row's tag (</row>, </x:row>), so no cell is
    cut in two; a row longer than four chunks is cut after a tag, never inside one."""
    tail = b""
    with archive.open(member) as stream:
        while block := stream.read(_CHUNK):
            data = tail + block
            cut = data.rfind(b"row>")
            if cut < 0 and len(data) < 4 * _CHUNK:
                tail = data
                continue
            cut = data.rfind(b">") + 1 if cut < 0 else cut + len(b"row>")
            tail = data[cut:]
            yield data[:cut]
    if tail:
        yield tail


def _implicit_extent(chunk: bytes, rows: int, columns: int, at: list[int]) -> tuple[int, int]:
    """The extent when some rows or cells omit their address: count positions as a reader does.

    ``at`` is [row, column] where the previous chunk stopped, carried across chunks so
    a row longer than a chunk is still counted whole.
    """
    row, col = at
    for tag, attrs, _closed in _TAG.findall(chunk):
        ref = _R.search(attrs)
        if tag == b"row":
            row = int(ref[2]) if ref and ref[2] else row + 1
            col = 0
        else:
            if ref and ref[1]:
                col = _column_number(ref[1].decode("ascii").upper())
                row = int(ref[2]) if ref[2] else row
            else:
                col += 1
            columns = max(columns, col)
        rows = max(rows, row)
    at[:] = [row, col]
    return rows, columns


def _note_hidden_causes(chunk: bytes, causes: dict[str, str]) -> None:
    """Note each formula or error cell that a value-only reader shows as blank.

    Only the cells holding a formula or an error are looked at, found from
    their mark, so a sheet with a formula on every row costs one step per formula.
    """
    done = -1
    for mark in _HINT.finditer(chunk):
        if mark.start() < done:
            continue  # a second mark inside a cell already seen
        if len(causes) >= _MAX_CAUSES:
            return  # enough to show the user what is wrong; a hostile file gets no more memory
        end = _CELL_END.search(chunk, mark.end())
        if end is None:
            continue
        done = end.end()
        if chunk[mark.start() + 1] == ord("f"):  # <f…>: an error cell's t="e" would come first
            value_at = chunk.find(b"<v>", mark.end(), end.start())
            if value_at >= 0 and chunk[value_at + 3] != ord("<"):
                continue  # the usual case: the result is stored
        # The cell's start tag is just before the mark (<f> comes first in a cell): look back a
        # little only, or a sheet full of formulas costs its size squared.
        near = max(0, mark.start() - _HEAD_REACH)
        start = max(
            chunk.rfind(b"<c ", near, mark.start()), chunk.rfind(b":c ", near, mark.start())
        )
        if start < 0:
            continue
        head_end = chunk.find(b">", start)
        if chunk[head_end - 1 : head_end] == b"/" or head_end > end.start():
            continue  # an empty cell <c … t="e"/>: nothing a reader would show
        attrs, body = chunk[start:head_end], chunk[head_end + 1 : end.start()]
        ref = _R.search(attrs)
        if not ref or not ref[1]:
            continue
        address = f"{ref[1].decode('ascii').upper()}{ref[2].decode('ascii')}"
        kind = _TYPE.search(attrs)
        value = _VALUE.search(body)
        if kind and kind[1] == b"e" and value:
            causes[address] = value[1].decode("utf-8", "replace").strip()
        elif _FORMULA.search(body) and not (value and value[1].strip()):
            # t="str" with an empty <v>: the formula's result is "" (=IF(…,"",…)); otherwise
            # the file holds no result at all (written by a program that does not calculate).
            causes[address] = EMPTY_RESULT if value and kind and kind[1] == b"str" else NO_RESULT


def _column_number(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def _check_sheet(path: Path, sheet: str, scan: SheetScan, limits: Limits) -> None:
    cells = scan.rows * scan.columns
    if scan.rows <= limits.max_rows and cells <= limits.max_cells:
        return
    from openpyxl.utils import get_column_letter

    corner = (
        f"{get_column_letter(min(scan.columns, EXCEL_COLUMNS))}{scan.rows}"
        if 0 < scan.columns
        else f"{scan.rows}行目"
    )
    raise InputTooLarge(
        f"{path.name} の「{sheet}」シートは {corner} まで使われていて"
        f"（{scan.rows:,} 行 × {scan.columns:,} 列）、上限（{limits.max_rows:,} 行・"
        f"{limits.max_cells:,} セル）を超えるため読みません。"
        f"データの外にある値（{corner} など）を削除して保存し直してください"
        f"（本当に必要なら環境変数 {ENV_MAX_ROWS}・{ENV_MAX_CELLS} で上限を上げられます）"
    )


def _env_int(env: Mapping[str, str], name: str, default: int) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        value = 0
    if value <= 0:
        raise BadOption(
            f"環境変数 {name} の値「{text}」は使えません。正の整数を指定してください"
            f"（既定は {default:,}）"
        )
    return value
