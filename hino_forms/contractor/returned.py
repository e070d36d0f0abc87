"""A workbook a contractor returned, read for ``merge``: which contracts it speaks for, its rows
per sheet and contract, and the rows it cannot speak for (another contract, a mistyped id).

python-calamine reads the values (about ten times faster than openpyxl: forty
returned workbooks are read in a second or two, not ten). A workbook ``init``
pre-filled names its contract in its 件名 (docProps/core.xml); in a workbook of
one contract, a blank 契約番号 means that contract, as the reader reads it.
"""

from __future__ import annotations

import glob
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from hino_forms.errors import BadOption
from hino_forms.workbook.ids import nearest
from hino_forms.workbook.schema import CONTRACT, CONTRACT_ID, SHEETS, Filler, Sheet
from hino_forms.xlsx import SheetRow, Values

# The sheets whose rows a contractor adds, changes and removes.
# The sheets whose rows a contractor returns (項目調整 is the city's alone: never taken back).
ROW_SHEETS: tuple[Sheet, ...] = tuple(
    s for s in SHEETS if s is not CONTRACT and s.filled_by is not Filler.CITY
)
# Sheets of rows only the city writes: read back only to see that they came back unchanged.
CITY_SHEETS: tuple[Sheet, ...] = tuple(
    s for s in SHEETS if s is not CONTRACT and s.filled_by is Filler.CITY
)


@dataclass(frozen=True)
class Conflict:
    """A contract (or a whole returned file, ``contract_id`` None) that was not merged, and why."""

    source: Path
    contract_id: str | None
    message: str


def expand_returned(patterns: Sequence[str], *, exclude: Iterable[Path] = ()) -> list[Path]:
    """The returned workbooks: each argument a file, or a pattern like 返送*.xlsx expanded here.

    Windows shells hand ``*`` over unexpanded; a pattern that matches nothing
    is an error, not an empty merge.
    """
    skip = {p.resolve() for p in exclude}
    out: list[Path] = []
    for pattern in patterns:
        path = Path(pattern)
        if path.exists():
            out.append(path)
            continue
        if not any(ch in pattern for ch in "*?["):  # not a pattern: a file that is not there
            raise BadOption(f"返送ブック {pattern} が見つかりません")
        found = [Path(p) for p in sorted(glob.glob(pattern)) if Path(p).resolve() not in skip]
        if not found:
            raise BadOption(
                f"「{pattern}」に合うファイルがありません。返送ブックの場所と名前を確かめてください"
            )
        out.extend(found)
    return list(dict.fromkeys(out))


@dataclass(frozen=True)
class Returned:
    """A returned workbook, read: its contracts' 契約 rows and, per sheet and contract, its rows."""

    path: Path
    contracts: dict[str, SheetRow]
    rows: dict[str, dict[str, list[SheetRow]]]  # sheet → contract → rows
    headers: dict[str, frozenset[str]]  # sheet → the schema headers it has
    default: str  # what a blank 契約番号 means ("" when it means nothing)


def read_returned(
    path: Path, known_ids: Sequence[str], conflicts: list[Conflict], notes: list[str]
) -> Returned | None:
    """Read one returned workbook; a file-wide problem becomes a conflict and None.

    ``known_ids``: the ledger's contracts (a row naming one of them that the
    workbook was not made for is refused for that contract).
    """
    try:
        wb = Values(path)
    except Exception as err:  # noqa: BLE001 -- any unreadable file means the same to the user
        conflicts.append(
            Conflict(path, None, f"Excel ブックとして開けません（{type(err).__name__}）")
        )
        return None
    try:
        return _read_open(path, wb, known_ids, conflicts, notes)
    finally:
        wb.close()


def _read_open(
    path: Path, wb: Values, known_ids: Sequence[str], conflicts: list[Conflict], notes: list[str]
) -> Returned | None:
    if CONTRACT.name not in wb.sheetnames:
        conflicts.append(Conflict(path, None, "「契約」シートがありません"))
        return None
    _, contract_rows = wb.rows(CONTRACT.name)
    contracts: dict[str, SheetRow] = {}
    for r in contract_rows:
        if not r.text(CONTRACT_ID):
            conflicts.append(Conflict(path, None, f"契約!A{r.row} の契約番号が空欄です"))
            return None
        contracts[r.text(CONTRACT_ID)] = r
    if not contracts:
        conflicts.append(Conflict(path, None, "「契約」シートに契約がありません"))
        return None
    # A pre-filled workbook names its contract; with one contract a blank 契約番号 means it.
    bound = wb.subject
    default = (
        bound if bound in contracts else (next(iter(contracts)) if len(contracts) == 1 else "")
    )
    rows: dict[str, dict[str, list[SheetRow]]] = {}
    headers: dict[str, frozenset[str]] = {}
    strays: dict[str | None, list[str]] = defaultdict(list)
    for sheet in (*ROW_SHEETS, *CITY_SHEETS):
        if sheet.name not in wb.sheetnames:
            continue
        found_headers, found = wb.rows(sheet.name)
        known = set(sheet.headers)
        if extra := [h for h in found_headers if h and h not in known]:
            notes.append(
                f"{path.name} の「{sheet.name}」シートの列 {'、'.join(extra)} は取り込みません"
            )
        headers[sheet.name] = frozenset(h for h in found_headers if h in known)
        per: dict[str, list[SheetRow]] = defaultdict(list)
        for r in found:
            cid = r.text(CONTRACT_ID) or default
            if cid in contracts:
                per[cid].append(r)
            else:
                owner, text = _stray(r, sheet, cid, contracts, known_ids)
                strays[owner].append(text)
        rows[sheet.name] = per
    for owner, texts in strays.items():
        shown = "、".join(texts[:10]) + ("…" if len(texts) > 10 else "")
        if owner is None:
            message = (
                f"契約番号が「契約」シートのどの契約とも合わない行があります: {shown}。"
                "契約番号を▼から選び直してください"
            )
        elif owner in contracts:
            message = f"{shown}。直してから返送してもらってください"
        else:  # a row for a contract the workbook was not made for
            message = (
                f"このブックは契約「{'・'.join(contracts)}」用のため、契約「{owner}」の行"
                f"（{shown}）は取り込みません。その契約のブックで返送してもらってください"
            )
        conflicts.append(Conflict(path, owner, message))
    return Returned(path, contracts, rows, headers, default)


def _stray(
    r: SheetRow, sheet: Sheet, cid: str, contracts: dict[str, SheetRow], known_ids: Sequence[str]
) -> tuple[str | None, str]:
    """Whose a row with an unknown 契約番号 is, and the words for it (the nearest id, if any)."""
    where = f"{sheet.name}!{r.cell(CONTRACT_ID) or f'{r.row}行目'}"
    if not cid:
        return None, f"{where}（空欄）"
    if cid in known_ids:
        return cid, f"{where}"
    near = nearest(cid, [*contracts, *known_ids])
    mine = [n for n in near if n in contracts]
    if len(mine) == 1:
        return mine[0], (
            f"{where} の契約番号「{cid}」はどの契約にもありません。「{mine[0]}」の誤りでは"
            f"ありませんか（このままでは契約「{mine[0]}」の{sheet.forms_text}にこの行が入りません）"
        )
    hint = f"。「{'」「'.join(near)}」の誤りではありませんか" if near else ""
    return None, f"{where}（「{cid}」{hint}）"
