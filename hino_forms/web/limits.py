"""Refuse hostile uploads before any work: byte size, not an xlsx, unpacked size, rows per sheet.

The workbook reader trusts its file; these checks run first, on the zip's own directory and a
streamed count of each sheet's rows, so a zip bomb or a million-row sheet is never expanded.
"""

from __future__ import annotations

import posixpath
import zipfile
from pathlib import Path
from xml.etree.ElementTree import ParseError, iterparse

from hino_forms.errors import InputUnusable

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


class UploadRefused(InputUnusable):
    """An uploaded file is refused before any work (too large, not an xlsx, too many rows)."""


def megabytes(n: int) -> str:
    """20971520 → "20 MB"."""
    return f"{n / (1024 * 1024):.0f} MB"


def check_xlsx(path: Path, *, name: str, max_unpacked: int, max_rows: int) -> None:
    """Raise UploadRefused unless ``path`` is an xlsx within the unpacked-size and row limits."""
    if not name.lower().endswith((".xlsx", ".xlsm")) or not zipfile.is_zipfile(path):
        raise UploadRefused(
            f"「{name}」は Excel ブック（.xlsx）ではありません。"
            "Excel で開き「Excel ブック (*.xlsx)」形式で保存してから選んでください"
        )
    try:
        with zipfile.ZipFile(path) as zf:
            unpacked = sum(i.file_size for i in zf.infolist())
            if unpacked > max_unpacked:
                raise UploadRefused(
                    f"「{name}」は展開すると {megabytes(unpacked)} になり、上限 "
                    f"{megabytes(max_unpacked)} を超えます。不要なシートや画像を削除してください"
                )
            for sheet, member in _sheets(zf):
                rows = _count_rows(zf, member, max_rows)
                if rows > max_rows:
                    raise UploadRefused(
                        f"「{name}」のシート「{sheet}」の行数が上限 {max_rows:,} 行を超えます。"
                        "契約ごとなどに分けたブックにしてください"
                    )
    except (zipfile.BadZipFile, KeyError, ParseError, OSError, EOFError):
        raise UploadRefused(
            f"「{name}」は壊れているため読めません。Excel で開いて保存し直してください"
        ) from None


def _sheets(zf: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(sheet name, zip member) for every worksheet, from workbook.xml and its relationships."""
    names = set(zf.namelist())
    if "xl/workbook.xml" not in names:
        raise KeyError("xl/workbook.xml")
    targets: dict[str, str] = {}
    if "xl/_rels/workbook.xml.rels" in names:
        with zf.open("xl/_rels/workbook.xml.rels") as f:
            for _, el in iterparse(f):
                if el.tag == f"{_PKG_REL}Relationship":
                    target = el.get("Target", "")
                    path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                    targets[el.get("Id", "")] = posixpath.normpath(path)
    found = []
    with zf.open("xl/workbook.xml") as f:
        for _, el in iterparse(f):
            if el.tag == f"{_MAIN}sheet":
                member = targets.get(el.get(f"{_REL}id", ""), "")
                if member in names:
                    found.append((el.get("name", ""), member))
    return found


def _count_rows(zf: zipfile.ZipFile, member: str, limit: int) -> int:
    """The sheet's <row> elements, counted while streaming; stops once past ``limit``."""
    rows = 0
    with zf.open(member) as f:
        for _, el in iterparse(f):
            if el.tag == f"{_MAIN}row":
                rows += 1
                if rows > limit:
                    break
            el.clear()
    return rows
