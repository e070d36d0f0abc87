"""Rows of the contractor's sheets compared as values: what identifies a row, and what changed.

Both ``init`` (answers already in the ledger beside the items it lists) and
``merge`` (a returned row against the ledger's) compare cells the way the
reader reads them, so 2026/4/1 typed as text equals a date cell, 令和8年度
equals 2026 and full-width digits equal half-width ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hino_forms.workbook.reader import read_cell
from hino_forms.workbook.schema import CONTRACT_ID, REPORT, Column, Kind, Sheet
from hino_forms.xlsx import cell_text

Key = tuple[object, ...]


def value_of(column: Column, raw: Any) -> object:
    """A cell as the reader would read it, for comparison: "" when blank, its text when unreadable."""
    text = cell_text(raw)
    if text == "":
        return ""
    if column.kind is Kind.TEXT:
        return text  # full-width spaces and digits folded: not a change anyone meant
    try:
        return read_cell(column, raw)
    except ValueError:
        return text


def row_key(sheet: Sheet, values: Mapping[str, Any], default_contract: str = "") -> Key:
    """The values of ``sheet.key`` for a row (a blank 契約番号 is ``default_contract``)."""
    key: list[object] = []
    for header in sheet.key:
        value = value_of(sheet.column(header), values.get(header))
        if header == CONTRACT_ID and value == "":
            value = default_contract
        key.append(value)
    if sheet is REPORT and key[sheet.key.index("時期")] != "②":
        key[sheet.key.index("年度")] = ""  # only a ② answer has a year; the reader ignores others
    return tuple(key)


def changed_columns(
    sheet: Sheet, old: Mapping[str, Any], new: Mapping[str, Any], headers: tuple[str, ...]
) -> tuple[str, ...]:
    """The ``headers`` whose values differ between two rows of ``sheet``."""
    return tuple(
        h
        for h in headers
        if value_of(sheet.column(h), old.get(h)) != value_of(sheet.column(h), new.get(h))
    )
