"""``merge``: fold the workbooks contractors returned into a copy of the city's ledger.

Rows are matched by their sheet's key (``schema.Sheet.key``: staff by
contract + party + 氏名, an answer by contract + party + form + timing + 年度
+ number, …), per contract:

* a returned row with a key the ledger lacks is **added** (at the end of its sheet);
* a returned row whose contractor cells differ from the ledger's is **changed** in place;
* a ledger row no returned workbook of that contract holds is **kept** and listed
  (``replace=True``: removed, and listed);
* the contractor's own 契約 columns (責任者・代行者) are taken over.

A returned workbook speaks only for the contracts on its 契約 sheet (a
pre-filled one: the contract it was made for). A contract is left as it
was, and the reason reported, when the returned rows change what the city
filled, when a row names a contract or subcontractor that does not exist
(with the id it was probably meant to be), or when two returned workbooks
change the same row differently. Text is copied as text, never as a
formula. The ledger file is never written: the result goes to a new,
owner-only file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from hino_forms.contractor.returned import (
    CITY_SHEETS,
    ROW_SHEETS,
    Conflict,
    Returned,
    read_returned,
)
from hino_forms.contractor.rows import Key, changed_columns, row_key
from hino_forms.errors import BadOption, InputUnusable, OutputExists, OutputIsInput
from hino_forms.workbook.ids import nearest
from hino_forms.workbook.schema import (
    CONTRACT,
    CONTRACT_ID,
    REPORT,
    SUBCONTRACT,
    SUBCONTRACTOR_NAME,
    Filler,
    Sheet,
)
from hino_forms.xlsx import SheetRow, Values, cell_text, put, save_atomically

_CONTRACTOR_CONTRACT_COLUMNS = CONTRACT.columns_filled_by(Filler.CONTRACTOR)


class Action(str, Enum):
    """What happened to one row."""

    ADDED = "added"
    CHANGED = "changed"
    KEPT = "kept"  # in the ledger, not in the returned workbook: left as it was
    REMOVED = "removed"  # the same, with --replace

    @property
    def label(self) -> str:
        """追加, 変更, 台帳のみ（残した）, 削除."""
        return {
            "added": "追加",
            "changed": "変更",
            "kept": "台帳のみ（残した）",
            "removed": "削除",
        }[self.value]


@dataclass(frozen=True)
class Change:
    """One row added, changed, kept-but-missing or removed, with where it is."""

    source: Path  # the returned workbook
    contract_id: str
    sheet: str
    action: Action
    row: str  # the row in words: 氏名「高橋 三郎」
    cell: str = ""  # in the returned workbook, e.g. 従事者!C5 ("" for a row it lacks)
    ledger_row: int | None = None  # the row's number in the ledger before the merge
    detail: str = ""  # what changed: 所属「A」→「B」


@dataclass(frozen=True)
class Merged:
    """One contract taken from one returned workbook, and what it changed."""

    source: Path
    contract_id: str
    changes: tuple[Change, ...] = ()

    def count(self, action: Action) -> int:
        """How many rows ``action`` touched."""
        return sum(c.action is action for c in self.changes)


@dataclass(frozen=True)
class MergeReport:
    """What ``merge_workbooks`` wrote and what it refused."""

    out: Path
    merged: tuple[Merged, ...] = ()
    conflicts: tuple[Conflict, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def changes(self) -> tuple[Change, ...]:
        """Every row touched, workbook by workbook."""
        return tuple(c for m in self.merged for c in m.changes)


def merge_workbooks(
    ledger: Path,
    returned: Sequence[Path],
    *,
    out: Path,
    force: bool = False,
    replace: bool = False,
) -> MergeReport:
    """Merge ``returned`` workbooks into a copy of ``ledger`` written to ``out``."""
    _check_paths(ledger, returned, out, force)
    book = _Ledger.open(ledger)
    conflicts: list[Conflict] = []
    notes: list[str] = []
    claims: dict[str, list[Returned]] = defaultdict(list)
    for path in returned:
        item = read_returned(path, book.contract_ids, conflicts, notes)
        if item is not None:
            for cid in item.contracts:
                claims[cid].append(item)
    merged: list[Merged] = []
    for cid, items in claims.items():
        held = {c.source for c in conflicts if c.contract_id == cid}
        diffs: list[_Diff] = []
        for item in items:
            if item.path in held:
                continue
            if found := book.locked_changes(item, cid) + book.unknown_names(item, cid):
                conflicts.append(Conflict(item.path, cid, "／".join(found)))
                continue
            diffs.append(book.diff(item, cid))
        if not diffs:
            continue
        if clashes := _clashes(diffs):
            conflicts.extend(Conflict(d.source, cid, "／".join(clashes)) for d in diffs)
            continue
        merged.extend(book.apply(cid, diffs, replace=replace))
    book.finish()
    save_atomically(book.wb, out)
    return MergeReport(out, tuple(merged), tuple(conflicts), tuple(notes))


def _check_paths(ledger: Path, returned: Sequence[Path], out: Path, force: bool) -> None:
    if not ledger.is_file():
        raise InputUnusable(f"統合先のブック {ledger} が見つかりません")
    for p in (ledger, *returned):
        if out.resolve() == p.resolve() or (out.exists() and p.exists() and out.samefile(p)):
            raise OutputIsInput(out)
    if out.exists() and not force:
        raise OutputExists(out)
    if out.suffix.lower() != ".xlsx":
        raise BadOption(f"出力ファイル名は .xlsx で終わる必要があります: {out}")
    if not out.parent.is_dir():
        raise BadOption(f"出力先のフォルダ {out.parent} がありません。先に作成してください")


def _load(path: Path, **options: bool) -> Workbook:
    try:
        return load_workbook(path, **options)
    except (OSError, ValueError, KeyError) as err:
        raise InputUnusable(f"{path} を Excel ブックとして開けません（{err}）") from err


# ---------------------------------------------------------------- the ledger


@dataclass
class _Diff:
    """What one returned workbook does to one contract: rows by sheet and key."""

    source: Path
    contract_id: str
    # sheet → key → (action, returned row or None, ledger row or None, changed headers)
    rows: dict[
        str, dict[Key, tuple[Action | None, SheetRow | None, SheetRow | None, tuple[str, ...]]]
    ]
    contract_row: SheetRow
    contract_changes: tuple[str, ...]


class _Ledger:
    """The ledger being merged into: ``wb`` keeps formulas and formatting; ``values`` are compared."""

    def __init__(self, wb: Workbook, values: Values) -> None:
        self.wb = wb
        self.contract_rows: dict[str, SheetRow] = {}
        _, rows = values.rows(CONTRACT.name)
        for r in rows:
            self.contract_rows.setdefault(r.text(CONTRACT_ID), r)
        self.contract_ids = [cid for cid in self.contract_rows if cid]
        default = self.contract_ids[0] if len(self.contract_ids) == 1 else ""
        # sheet → contract → key (with its occurrence) → row
        self.rows: dict[str, dict[str, dict[Key, SheetRow]]] = {}
        self.last_row: dict[str, int] = {}
        for sheet in (*ROW_SHEETS, *CITY_SHEETS):
            per: dict[str, dict[Key, SheetRow]] = defaultdict(dict)
            last = 1
            if sheet.name in values.sheetnames:
                _, found = values.rows(sheet.name)
                for r in found:
                    cid = r.text(CONTRACT_ID) or default
                    _keyed(per[cid], sheet, r, cid)
                    last = r.row
            self.rows[sheet.name] = per
            self.last_row[sheet.name] = last
        self.removed: dict[str, list[int]] = defaultdict(list)
        self.columns: dict[str, dict[str, int]] = {}

    @classmethod
    def open(cls, path: Path) -> _Ledger:
        wb = _load(path, data_only=False)  # formulas and formatting of the ledger survive
        if CONTRACT.name not in wb.sheetnames:
            raise InputUnusable(f"{path} に「契約」シートがありません")
        try:  # what the city sees (cached values of formulas), to compare
            values = Values(path)
        except Exception as err:  # noqa: BLE001 -- openpyxl opened it; calamine should too
            raise InputUnusable(f"{path} を Excel ブックとして開けません（{err}）") from err
        try:
            return cls(wb, values)
        finally:
            values.close()

    def locked_changes(self, item: Returned, cid: str) -> list[str]:
        """What the returned workbook changed among the cells the city filled (empty when none)."""
        mine = self.contract_rows.get(cid)
        if mine is None:
            return [
                f"契約番号「{cid}」は統合先のブックにありません。"
                "市の担当課が先に「契約」シートへ登録してください"
            ]
        theirs = item.contracts[cid]
        out = [
            f"契約!{_addr(theirs, h)} の「{h}」が市の記入内容（{_shown(mine.values.get(h))}）"
            f"から「{_shown(theirs.values.get(h))}」に変わっています"
            for h in CONTRACT.columns_filled_by(Filler.CITY)
            if h in theirs.values and changed_columns(CONTRACT, mine.values, theirs.values, (h,))
        ]
        out += self._subcontract_changes(item, cid)
        out += self._city_sheet_changes(item, cid)
        if out:
            out.append("市が記入した内容は変更できません。誤りは市の担当課へ連絡してください")
        return out

    def _subcontract_changes(self, item: Returned, cid: str) -> list[str]:
        """Approved 再委託 rows must come back unchanged; approval columns are the city's."""
        before = {r.text(SUBCONTRACTOR_NAME): r for r in self.rows[SUBCONTRACT.name][cid].values()}
        after = {
            r.text(SUBCONTRACTOR_NAME): r for r in item.rows.get(SUBCONTRACT.name, {}).get(cid, [])
        }
        present = item.headers.get(SUBCONTRACT.name, frozenset())
        out: list[str] = []
        for name, old in before.items():
            if old.text("承認日") == "" or SUBCONTRACT.name not in item.rows:
                continue
            new = after.get(name)
            if new is None:
                out.append(
                    f"承認済みの再委託先「{name}」の行が「再委託」シートからなくなっています"
                )
                continue
            for h in changed_columns(SUBCONTRACT, old.values, new.values, tuple(sorted(present))):
                out.append(
                    f"再委託!{_addr(new, h)} 承認済みの再委託先「{name}」の「{h}」が変わっています"
                )
        city = SUBCONTRACT.columns_filled_by(Filler.CITY)
        for name, new in after.items():
            old_values = before[name].values if name in before else {}
            for h in changed_columns(SUBCONTRACT, old_values, new.values, city):
                if h in present:
                    out.append(
                        f"再委託!{_addr(new, h)} の「{h}」は市が記入する欄です（受託者は空欄のまま）"
                    )
        return sorted(dict.fromkeys(out), key=out.index)

    def _city_sheet_changes(self, item: Returned, cid: str) -> list[str]:
        """The city's own sheets (項目調整) must come back as the ledger has them, or not at all."""
        out: list[str] = []
        for sheet in CITY_SHEETS:
            if sheet.name not in item.rows:
                continue  # the workbook has no such sheet: it says nothing about those rows
            theirs: dict[Key, SheetRow] = {}
            for r in item.rows[sheet.name].get(cid, []):
                _keyed(theirs, sheet, r, cid)
            ours = self.rows[sheet.name][cid]
            present = tuple(h for h in sheet.headers if h in item.headers[sheet.name])
            changed = [
                r.row
                for key, r in theirs.items()
                if key not in ours or changed_columns(sheet, ours[key].values, r.values, present)
            ]
            if changed or len(theirs) != len(ours):
                where = "・".join(f"{n}行目" for n in changed) or "行の数"
                out.append(f"「{sheet.name}」シート（{where}）が市の記入内容から変わっています")
        return out

    def unknown_names(self, item: Returned, cid: str) -> list[str]:
        """Rows naming a subcontractor neither the ledger nor the workbook has (with the likely one)."""
        names = [str(k[1]) for k in self.rows[SUBCONTRACT.name][cid]]
        names += [
            r.text(SUBCONTRACTOR_NAME) for r in item.rows.get(SUBCONTRACT.name, {}).get(cid, [])
        ]
        out: list[str] = []
        for sheet in ROW_SHEETS:
            if sheet is SUBCONTRACT:
                continue
            for r in item.rows.get(sheet.name, {}).get(cid, []):
                name = r.text(SUBCONTRACTOR_NAME)
                if not name or name in names:
                    continue
                near = nearest(name, names)
                hint = (
                    f"「{'」「'.join(str(n) for n in near)}」の誤りではありませんか。"
                    if near
                    else ""
                )
                out.append(
                    f"{sheet.name}!{_addr(r, SUBCONTRACTOR_NAME)} の再委託先「{name}」は「再委託」シートに"
                    f"ありません。{hint}このままでは契約「{cid}」の{sheet.forms_text}に"
                    "この行が入りません"
                )
        return out

    def diff(self, item: Returned, cid: str) -> _Diff:
        """Compare one returned workbook's rows of ``cid`` with the ledger's, sheet by sheet."""
        rows: dict[str, dict[Key, Any]] = {}
        for sheet in ROW_SHEETS:
            if sheet.name not in item.rows:
                continue  # the workbook has no such sheet: it says nothing about those rows
            compared = tuple(
                h
                for h in sheet.columns_filled_by(Filler.CONTRACTOR)
                if h in item.headers[sheet.name]
            )
            theirs: dict[Key, SheetRow] = {}
            for r in item.rows[sheet.name].get(cid, []):
                if sheet is REPORT and not (r.text("回答") or r.text("備考")):
                    continue  # an item listed for answering, left unanswered
                _keyed(theirs, sheet, r, cid)
            ours = self.rows[sheet.name][cid]
            out: dict[Key, Any] = {}
            for key, r in theirs.items():
                old = ours.get(key)
                if old is None:
                    out[key] = (Action.ADDED, r, None, compared)
                    continue
                changed = changed_columns(sheet, old.values, r.values, compared)
                out[key] = (Action.CHANGED if changed else None, r, old, changed)
            for key, old in ours.items():
                if key not in theirs:
                    out[key] = (Action.KEPT, None, old, ())
            rows[sheet.name] = out
        mine = self.contract_rows[cid]
        theirs_row = item.contracts[cid]
        present = tuple(h for h in _CONTRACTOR_CONTRACT_COLUMNS if h in theirs_row.values)
        changes = changed_columns(CONTRACT, mine.values, theirs_row.values, present)
        return _Diff(item.path, cid, rows, theirs_row, changes)

    def apply(self, cid: str, diffs: list[_Diff], *, replace: bool) -> list[Merged]:
        """Write the rows of ``cid`` the returned workbooks added or changed; list every row."""
        changes: dict[Path, list[Change]] = {d.source: [] for d in diffs}
        for sheet in ROW_SHEETS:
            seen_in = [d for d in diffs if sheet.name in d.rows]
            keys = dict.fromkeys(k for d in seen_in for k in d.rows[sheet.name])
            for key in keys:
                entries = [
                    (d, d.rows[sheet.name][key]) for d in seen_in if key in d.rows[sheet.name]
                ]
                done = [(d, e) for d, e in entries if e[0] in (Action.ADDED, Action.CHANGED)]
                if done:
                    d, (action, row, old, changed) = done[0]
                    assert row is not None
                    self._write(sheet, row, old, changed, cid)
                    for d2, (a2, r2, o2, c2) in done:
                        changes[d2.source].append(
                            _change(d2.source, cid, sheet, a2, key, r2, o2, c2)  # type: ignore[arg-type]
                        )
                    continue
                # Missing from every workbook that has the sheet: kept, or removed with --replace.
                if all(e[0] is Action.KEPT for _, e in entries) and len(entries) == len(seen_in):
                    old = entries[0][1][2]
                    assert old is not None
                    action = Action.REMOVED if replace else Action.KEPT
                    if replace:
                        self.removed[sheet.name].append(old.row)
                    for d, _ in entries:
                        changes[d.source].append(
                            _change(d.source, cid, sheet, action, key, None, old, ())
                        )
        for d in diffs:
            if d.contract_changes:
                self._update_contract(cid, d.contract_row, d.contract_changes)
                changes[d.source].append(
                    Change(
                        d.source,
                        cid,
                        CONTRACT.name,
                        Action.CHANGED,
                        f"契約番号「{cid}」",
                        f"{CONTRACT.name}!{d.contract_row.cell(CONTRACT_ID)}",
                        self.contract_rows[cid].row,
                        _detail(
                            CONTRACT, self.contract_rows[cid], d.contract_row, d.contract_changes
                        ),
                    )
                )
        return [Merged(d.source, cid, tuple(changes[d.source])) for d in diffs]

    def _write(
        self, sheet: Sheet, row: SheetRow, old: SheetRow | None, headers: tuple[str, ...], cid: str
    ) -> None:
        """Change ``headers`` of ledger row ``old`` in place, or append ``row`` to the sheet."""
        ws, columns = self._sheet(sheet)
        if old is None:
            self.last_row[sheet.name] += 1
            r = self.last_row[sheet.name]
            put(ws, r, columns[CONTRACT_ID], cid)  # a blank 契約番号 made explicit
        else:
            r = old.row
        for h in headers:
            if h != CONTRACT_ID:
                put(ws, r, columns[h], row.values.get(h))

    def _sheet(self, sheet: Sheet) -> tuple[Worksheet, dict[str, int]]:
        """The ledger's sheet and its column by header (found once: row 1 is slow to scan)."""
        if sheet.name not in self.columns:
            ws = self.wb[sheet.name] if sheet.name in self.wb.sheetnames else self._new_sheet(sheet)
            self.columns[sheet.name] = _header_columns(ws, [c.header for c in sheet.read_columns])
        return self.wb[sheet.name], self.columns[sheet.name]

    def _new_sheet(self, sheet: Sheet) -> Worksheet:
        ws = self.wb.create_sheet(sheet.name)
        for i, c in enumerate(sheet.read_columns, start=1):
            put(ws, 1, i, c.header)
        return ws

    def _update_contract(self, cid: str, theirs: SheetRow, headers: tuple[str, ...]) -> None:
        ws, columns = self._sheet(CONTRACT)
        for h in headers:
            put(ws, self.contract_rows[cid].row, columns[h], theirs.values.get(h))

    def finish(self) -> None:
        """Delete the rows --replace removed, bottom up so the numbers above stay valid."""
        for name, numbers in self.removed.items():
            ws = self.wb[name]
            for r in sorted(set(numbers), reverse=True):
                ws.delete_rows(r)


def _keyed(into: dict[Key, SheetRow], sheet: Sheet, r: SheetRow, cid: str) -> None:
    """Add ``r`` under its key; a repeated key gets its occurrence number, so none is lost."""
    base = row_key(sheet, r.values, cid)
    n = 0
    while (*base, n) in into:
        n += 1
    into[(*base, n)] = r


def _clashes(diffs: list[_Diff]) -> list[str]:
    """Rows two returned workbooks add or change differently (the same key, other values)."""
    out: list[str] = []
    for sheet in ROW_SHEETS:
        seen: dict[Key, tuple[_Diff, SheetRow, tuple[str, ...]]] = {}
        for d in diffs:
            for key, (action, row, _, changed) in d.rows.get(sheet.name, {}).items():
                if action not in (Action.ADDED, Action.CHANGED) or row is None:
                    continue
                if key in seen:
                    first, earlier, headers = seen[key]
                    both = tuple(dict.fromkeys((*headers, *changed)))
                    if changed_columns(sheet, earlier.values, row.values, both):
                        out.append(
                            f"{sheet.name}の{_describe(sheet, key)}を {first.source.name}"
                            f"（{sheet.name}!{earlier.cell(sheet.key[-1]) or earlier.row}）と "
                            f"{d.source.name}（{sheet.name}!{row.cell(sheet.key[-1]) or row.row}）が"
                            "違う内容にしています"
                        )
                else:
                    seen[key] = (d, row, changed)
    for i, d in enumerate(diffs):
        for other in diffs[i + 1 :]:
            both = tuple(dict.fromkeys((*d.contract_changes, *other.contract_changes)))
            if both and changed_columns(
                CONTRACT, d.contract_row.values, other.contract_row.values, both
            ):
                out.append(
                    f"契約シートの{'・'.join(both)}を {d.source.name} と {other.source.name} が"
                    "違う内容にしています"
                )
    if out:
        out.append("どちらが正しいか確かめ、返送ブックを1つに直してから統合してください")
    return out


def _change(
    source: Path,
    cid: str,
    sheet: Sheet,
    action: Action,
    key: Key,
    row: SheetRow | None,
    old: SheetRow | None,
    changed: tuple[str, ...],
) -> Change:
    detail = ""
    if action is Action.CHANGED and row is not None and old is not None:
        detail = _detail(sheet, old, row, changed)
    elif action is Action.ADDED and row is not None and sheet is REPORT:
        detail = "、".join(f"{h}「{row.text(h)}」" for h in ("回答", "備考") if row.text(h))
    elif action is Action.KEPT:
        detail = "返送ブックにないため台帳に残しました"
    elif action is Action.REMOVED:
        detail = "返送ブックにないため削除しました"
    cell = f"{sheet.name}!{row.cell(sheet.key[-1]) or f'{row.row}行目'}" if row is not None else ""
    return Change(
        source,
        cid,
        sheet.name,
        action,
        _describe(sheet, key),
        cell,
        old.row if old is not None else None,
        detail,
    )


def _describe(sheet: Sheet, key: Key) -> str:
    """A row's key in words, without the contract: 再委託先名称「X」・氏名「高橋 三郎」."""
    parts = [
        f"{h}「{v}」" for h, v in zip(sheet.key[1:], key[1 : len(sheet.key)]) if v not in ("", None)
    ]
    n = int(str(key[len(sheet.key)])) if len(key) > len(sheet.key) else 0
    return "・".join(parts) + (f"（{n + 1}件目）" if n else "")


def _detail(sheet: Sheet, old: SheetRow, new: SheetRow, headers: tuple[str, ...]) -> str:
    return "、".join(
        f"{h}「{_shown(old.values.get(h))}」→「{_shown(new.values.get(h))}」" for h in headers
    )


def _addr(row: SheetRow, header: str) -> str:
    return row.cell(header) or f"{row.row}行目"


def _shown(value: Any) -> str:
    return cell_text(value) or "空欄"


def _header_columns(ws: Worksheet, wanted: Sequence[str]) -> dict[str, int]:
    """Column index by header in row 1; schema headers the ledger lacks are added at the right."""
    columns: dict[str, int] = {}
    for c in ws[1]:
        text = cell_text(c.value)
        if text and text not in columns:
            columns[text] = c.column
    for h in wanted:
        if h not in columns:
            col = max(columns.values(), default=0) + 1
            put(ws, 1, col, h)
            columns[h] = col
    return columns
