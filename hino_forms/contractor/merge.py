"""``merge``: fold the workbooks contractors returned into a copy of the city's master workbook.

A returned workbook speaks for the contracts on its 契約 sheet. For each of
them, the contractor's sheets (従事者, 研修, 再委託, 廃棄, 報告) replace that
contract's rows in the master, and the contractor's own 契約 columns
(責任者・代行者) are taken over. A contract is left untouched, and reported,
when its returned rows changed what the city filled (the protected cells of
``init --from``), or when two returned workbooks claim it. The master file is
never written: the result goes to a new file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from hino_forms.contractor.blank import (
    CONTRACTOR_SHEETS,
    DATE_FORMAT,
    SheetRow,
    cell_text,
    city_fills,
    save_atomically,
    sheet_rows,
)
from hino_forms.errors import BadOption, InputUnusable, OutputExists, OutputIsInput
from hino_forms.workbook.schema import CONTRACT, SHEETS_BY_NAME, SUBCONTRACT


@dataclass(frozen=True)
class Conflict:
    """A contract (or a whole returned file, ``contract_id`` None) that was not merged, and why."""

    source: Path
    contract_id: str | None
    message: str


@dataclass(frozen=True)
class Merged:
    """One contract taken from one returned workbook: rows per sheet, 契約 columns updated."""

    source: Path
    contract_id: str
    rows: dict[str, int]  # sheet → rows now in the master; a sheet left as it was is absent
    contract_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class MergeReport:
    """What ``merge_workbooks`` wrote and what it refused."""

    out: Path
    merged: tuple[Merged, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class _Returned:
    """A returned workbook, read: its contracts' 契約 rows and the rows of the contractor's sheets."""

    path: Path
    contracts: dict[str, SheetRow]
    rows: dict[str, list[SheetRow]]  # sheet → rows (every row names one of ``contracts``)


def merge_workbooks(
    master: Path, returned: Sequence[Path], *, out: Path, force: bool = False
) -> MergeReport:
    """Merge ``returned`` workbooks into a copy of ``master`` written to ``out``."""
    _check_paths(master, returned, out, force)
    wb = _open(master, data_only=False)  # formulas and formatting of the master survive
    values = _open(master, data_only=True)  # what the city sees, for comparisons
    if CONTRACT.name not in wb.sheetnames:
        raise InputUnusable(f"{master} に「契約」シートがありません")
    conflicts: list[Conflict] = []
    notes: list[str] = []
    claims: dict[str, list[_Returned]] = defaultdict(list)
    for path in returned:
        item = _read_returned(path, conflicts, notes)
        if item is not None:
            for cid in item.contracts:
                claims[cid].append(item)
    merged: list[Merged] = []
    for cid, items in claims.items():
        if len(items) > 1:
            names = "、".join(i.path.name for i in items)
            for i in items:
                conflicts.append(
                    Conflict(
                        i.path,
                        cid,
                        (
                            f"契約番号「{cid}」が複数の返送ブック（{names}）にあります。"
                            "どちらを取り込むか決め、1つだけ指定してください"
                        ),
                    )
                )
            continue
        item = items[0]
        found = _locked_changes(values, item, cid)
        if found:
            conflicts.append(Conflict(item.path, cid, "／".join(found)))
            continue
        merged.append(_apply(wb, item, cid))
    save_atomically(wb, out)
    return MergeReport(out, tuple(merged), tuple(conflicts), tuple(notes))


def _check_paths(master: Path, returned: Sequence[Path], out: Path, force: bool) -> None:
    if not master.is_file():
        raise InputUnusable(f"統合先のブック {master} が見つかりません")
    for p in (master, *returned):
        if out.resolve() == p.resolve() or (out.exists() and out.samefile(p)):
            raise OutputIsInput(out)
    if out.exists() and not force:
        raise OutputExists(out)
    if out.suffix.lower() != ".xlsx":
        raise BadOption(f"出力ファイル名は .xlsx で終わる必要があります: {out}")


def _open(path: Path, *, data_only: bool) -> Workbook:
    try:
        return load_workbook(path, data_only=data_only)
    except (OSError, ValueError, KeyError) as err:
        raise InputUnusable(f"{path} を Excel ブックとして開けません（{err}）") from err


def _read_returned(path: Path, conflicts: list[Conflict], notes: list[str]) -> _Returned | None:
    """Read one returned workbook; a file-wide problem becomes a conflict and None."""
    try:
        wb = load_workbook(path, data_only=True)
    except (OSError, ValueError, KeyError) as err:
        conflicts.append(Conflict(path, None, f"Excel ブックとして開けません（{err}）"))
        return None
    if CONTRACT.name not in wb.sheetnames:
        conflicts.append(Conflict(path, None, "「契約」シートがありません"))
        return None
    _, contract_rows = sheet_rows(wb[CONTRACT.name])
    contracts: dict[str, SheetRow] = {}
    for r in contract_rows:
        if not r.contract_id:
            conflicts.append(Conflict(path, None, f"契約!A{r.row} の契約番号が空欄です"))
            return None
        contracts[r.contract_id] = r
    if not contracts:
        conflicts.append(Conflict(path, None, "「契約」シートに契約がありません"))
        return None
    rows: dict[str, list[SheetRow]] = {}
    stray: list[str] = []
    for name in CONTRACTOR_SHEETS:
        if name not in wb.sheetnames:
            continue
        headers, found = sheet_rows(wb[name])
        known = set(SHEETS_BY_NAME[name].headers)
        if extra := [h for h in headers if h and h not in known]:
            notes.append(f"{path.name} の「{name}」シートの列 {'、'.join(extra)} は取り込みません")
        col = headers.index("契約番号") + 1 if "契約番号" in headers else 1
        letter = wb[name].cell(1, col).column_letter
        for r in found:
            if r.contract_id not in contracts:
                shown = f"「{r.contract_id}」" if r.contract_id else "空欄"
                stray.append(f"{name}!{letter}{r.row}（{shown}）")
        rows[name] = [r for r in found if r.contract_id in contracts]
    if stray:
        conflicts.append(
            Conflict(
                path,
                None,
                (
                    "契約番号が「契約」シートのどの契約とも合わない行があります: "
                    + "、".join(stray[:10])
                    + ("…" if len(stray) > 10 else "")
                    + "。契約番号を▼から選び直してください"
                ),
            )
        )
        return None
    return _Returned(path, contracts, rows)


def _locked_changes(master: Workbook, item: _Returned, cid: str) -> list[str]:
    """What the returned workbook changed among the cells the city filled (empty when none)."""
    _, masters = sheet_rows(master[CONTRACT.name])
    mine = [r for r in masters if r.contract_id == cid]
    if not mine:
        return [
            f"契約番号「{cid}」は統合先のブックにありません。市の担当課が先に「契約」シートへ登録してください"
        ]
    theirs = item.contracts[cid]
    out = [
        f"契約!{_addr(theirs, h)} の「{h}」が市の記入内容（{_shown(mine[0].values.get(h))}）"
        f"から「{_shown(theirs.values.get(h))}」に変わっています"
        for h in CONTRACT.headers
        if city_fills(CONTRACT.name, h)
        and cell_text(theirs.values.get(h)) != cell_text(mine[0].values.get(h))
    ]
    out += _subcontract_changes(master, item, cid)
    if out:
        out.append("市が記入した内容は変更できません。誤りは市の担当課へ連絡してください")
    return out


def _subcontract_changes(master: Workbook, item: _Returned, cid: str) -> list[str]:
    """Approved 再委託 rows must come back unchanged; approval columns are the city's everywhere."""
    before: dict[str, dict[str, Any]] = {}
    if SUBCONTRACT.name in master.sheetnames:
        _, rows = sheet_rows(master[SUBCONTRACT.name])
        before = {
            cell_text(r.values.get("再委託先名称")): r.values for r in rows if r.contract_id == cid
        }
    after = {
        cell_text(r.values.get("再委託先名称")): r for r in item.rows.get(SUBCONTRACT.name, [])
    }
    out: list[str] = []
    for name, old in before.items():
        if cell_text(old.get("承認日")) == "":
            continue
        new = after.get(name)
        if new is None:
            out.append(f"承認済みの再委託先「{name}」の行が「再委託」シートからなくなっています")
            continue
        for h in SUBCONTRACT.headers:
            if cell_text(new.values.get(h)) != cell_text(old.get(h)):
                out.append(
                    f"再委託!{_addr(new, h)} 承認済みの再委託先「{name}」の「{h}」が変わっています"
                )
    for name, new in after.items():
        old = before.get(name, {})
        for h in sorted(h for h in SUBCONTRACT.headers if city_fills(SUBCONTRACT.name, h)):
            if cell_text(new.values.get(h)) != cell_text(old.get(h)):
                out.append(
                    f"再委託!{_addr(new, h)} の「{h}」は市が記入する欄です（受託者は空欄のまま）"
                )
    return out


def _addr(row: SheetRow, header: str) -> str:
    return row.cell(header) or f"{row.row}行目"


def _shown(value: Any) -> str:
    return cell_text(value) or "空欄"


def _apply(wb: Workbook, item: _Returned, cid: str) -> Merged:
    """Write one contract's returned rows into the master workbook ``wb``."""
    counts: dict[str, int] = {}
    for name in CONTRACTOR_SHEETS:
        rows = item.rows.get(name, [])
        if not rows:
            continue  # an empty sheet says nothing: the master keeps what it had
        ws = wb[name] if name in wb.sheetnames else _new_sheet(wb, name)
        _replace_rows(ws, cid, [r.values for r in rows])
        counts[name] = len(rows)
    updated = _update_contract(wb[CONTRACT.name], item.contracts[cid])
    return Merged(item.path, cid, counts, updated)


def _new_sheet(wb: Workbook, name: str) -> Worksheet:
    ws = wb.create_sheet(name)
    ws.append(list(SHEETS_BY_NAME[name].headers))
    return ws


def _header_columns(ws: Worksheet, wanted: Sequence[str]) -> dict[str, int]:
    """Column index by header in row 1; schema headers the master lacks are added at the right."""
    columns = {cell_text(c.value): c.column for c in ws[1] if cell_text(c.value)}
    for h in wanted:
        if h not in columns:
            col = max(columns.values(), default=0) + 1
            ws.cell(1, col, h)
            columns[h] = col
    return columns


def _replace_rows(ws: Worksheet, cid: str, new: list[dict[str, Any]]) -> None:
    """Replace the rows of contract ``cid`` by ``new``, where its first row was (else at the end)."""
    columns = _header_columns(ws, SHEETS_BY_NAME[ws.title].headers)
    id_col = columns["契約番号"]
    width = max(columns.values())
    kept: list[list[Any]] = []
    inserted = False
    for row in ws.iter_rows(min_row=2, max_col=width, values_only=True):
        if all(cell_text(v) == "" for v in row):
            continue
        if cell_text(row[id_col - 1]) == cid:
            if not inserted:
                kept.extend(_as_list(values, columns, width) for values in new)
                inserted = True
            continue
        kept.append(list(row))
    if not inserted:
        kept.extend(_as_list(values, columns, width) for values in new)
    for row in ws.iter_rows(min_row=2, max_col=width):
        for cell in row:
            cell.value = None
    for r, values in enumerate(kept, start=2):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(r, c, value)
            if isinstance(value, (date, datetime)):
                cell.number_format = DATE_FORMAT


def _as_list(values: dict[str, Any], columns: dict[str, int], width: int) -> list[Any]:
    row: list[Any] = [None] * width
    for h, value in values.items():
        if h in columns:
            row[columns[h] - 1] = value
    return row


def _update_contract(ws: Worksheet, theirs: SheetRow) -> tuple[str, ...]:
    """Take the contractor's own 契約 columns (責任者・代行者); returns the headers that changed."""
    mine = [h for h in CONTRACT.headers if not city_fills(CONTRACT.name, h)]
    columns = _header_columns(ws, mine)
    id_col = columns["契約番号"]
    changed: list[str] = []
    for row in ws.iter_rows(min_row=2):
        if cell_text(row[id_col - 1].value) != theirs.contract_id:
            continue
        for h in mine:
            cell = ws.cell(row[0].row, columns[h])
            if cell_text(cell.value) != cell_text(theirs.values.get(h)):
                cell.value = theirs.values.get(h)
                changed.append(h)
    return tuple(changed)
