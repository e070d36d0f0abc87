"""The consistency rules of SPEC §3: records read from a workbook → cell-addressed problems.

Pure: no Excel, no clock. ``workbook`` reads the cells and tells us where
each header was found (``Cells``) so every problem names its cell; the
rules that need only one cell (empty, unreadable, duplicates) are found
while reading, the rest here. Everything is indexed by contract id first,
so the cost grows with the number of rows, never with its square.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from hino_forms.dates import format_wareki
from hino_forms.models import (
    Contract,
    Disposal,
    Problem,
    Records,
    Severity,
    StaffMember,
    Subcontractor,
)
from hino_forms.planning.training import training_status, work_start
from hino_forms.workbook import schema

ERROR, WARNING = Severity.ERROR, Severity.WARNING
_SUB = schema.SUBCONTRACT.name
_STAFF = schema.STAFF.name
_DISPOSAL = schema.DISPOSAL.name
# Removable media (§10(1)①, §10(2)): latin names as whole words so that "SSD" is not "SD".
_PORTABLE = re.compile(
    r"(?<![A-Z])(USB|DVD|CD|BD|SD|MICROSD|SDHC|SDXC|MO|FD|LTO)(?![A-Z])"
    r"|ブルーレイ|メモリー?カード|外付|可搬|フロッピー|テープ|ポータブル|フラッシュメモリ"
)
_USB = re.compile(r"USB")


@dataclass(frozen=True)
class Cells:
    """Where each sheet's headers were found (header → column letter), to address problems."""

    letters: Mapping[str, Mapping[str, str]]

    def ref(self, sheet: str, header: str, row: int) -> tuple[str, str]:
        """(``"I3"``, ``"契約!I3"``); a column not in the sheet → ("", ``"契約!3行目"``)."""
        letter = self.letters.get(sheet, {}).get(header)
        if not letter:
            return "", f"{sheet}!{row}行目"
        return f"{letter}{row}", f"{sheet}!{letter}{row}"


def problem_sort_key(p: Problem) -> tuple[int, int, int, str]:
    """Reading order: sheet as in the schema, then row, then column."""
    order = [s.name for s in schema.SHEETS]
    sheet = order.index(p.sheet) if p.sheet in order else -1
    m = re.fullmatch(r"([A-Z]+)(\d+)", p.cell)
    if not m:
        return sheet, 0, 0, p.message
    col = 0
    for ch in m[1]:
        col = col * 26 + ord(ch) - 64
    return sheet, int(m[2]), col, p.message


def check_consistency(records: Records, *, cells: Cells, listed_ids: set[str]) -> list[Problem]:
    """Every cross-cell rule of SPEC §3 over ``records``; ``listed_ids`` = every 契約番号 on 契約."""
    return _Checker(records, cells, listed_ids).run()


class _Checker:
    def __init__(self, records: Records, cells: Cells, listed_ids: set[str]) -> None:
        self.records = records
        self.cells = cells
        self.listed = listed_ids
        self.problems: list[Problem] = []
        self.contracts = {c.contract_id: c for c in records.contracts}
        self.subs: dict[str, dict[str, Subcontractor]] = defaultdict(dict)
        for s in records.subcontractors:
            self.subs[s.contract_id][s.name] = s

    def add(
        self, severity: Severity, sheet: str, header: str, row: int, cid: str, text: str
    ) -> None:
        cell, where = self.cells.ref(sheet, header, row)
        self.problems.append(Problem(severity, sheet, cell, cid, f"{where}: 契約「{cid}」{text}"))

    def run(self) -> list[Problem]:
        for c in self.records.contracts:
            self.contract(c)
        for s in self.attached(self.records.subcontractors, _SUB, with_sub=False):
            self.subcontractor(self.contracts[s.contract_id], s)
        for m in self.attached(self.records.staff, _STAFF):
            self.staff(m)
        list(self.attached(self.records.trainings, schema.TRAINING.name))
        list(self.attached(self.records.answers, schema.REPORT.name))
        self.disposals(list(self.attached(self.records.disposals, _DISPOSAL)))
        return self.problems

    # -- references ----------------------------------------------------------

    def attached(self, rows: Iterable[Any], sheet: str, with_sub: bool = True) -> Iterable[Any]:
        """The rows whose contract (and subcontractor) exist; report those naming unknown ones."""
        for r in rows:
            cid = r.contract_id
            if cid not in self.contracts:
                if cid not in self.listed:
                    self.add(
                        ERROR,
                        sheet,
                        "契約番号",
                        r.row,
                        cid,
                        "は契約シートにありません。契約番号の誤りを直すか、契約シートに行を追加してください。",
                    )
                continue  # listed but unreadable: that row already has its error
            if with_sub and r.subcontractor and r.subcontractor not in self.subs[cid]:
                self.add(
                    ERROR,
                    sheet,
                    "再委託先名称",
                    r.row,
                    cid,
                    f"の再委託先「{r.subcontractor}」は再委託シートにありません。"
                    "名称を再委託シートと同じにするか、再委託シートに行を追加してください。",
                )
                continue
            yield r

    # -- 契約 -----------------------------------------------------------------

    def contract(self, c: Contract) -> None:
        sheet, cid, row = schema.CONTRACT.name, c.contract_id, c.row
        if c.end < c.start:
            self.add(
                ERROR,
                sheet,
                "契約終了日",
                row,
                cid,
                f"の契約終了日（{format_wareki(c.end)}）が契約開始日（{format_wareki(c.start)}）より前です。"
                "契約期間を直してください。",
            )
        if c.terminated and not c.start <= c.terminated <= c.end:
            self.add(
                ERROR,
                sheet,
                "解除日",
                row,
                cid,
                f"の解除日（{format_wareki(c.terminated)}）が契約期間"
                f"（{format_wareki(c.start)}〜{format_wareki(c.end)}）の外です。解除日を直してください。",
            )
        if c.concluded > c.end:
            self.add(
                ERROR,
                sheet,
                "契約締結日",
                row,
                cid,
                f"の契約締結日（{format_wareki(c.concluded)}）が契約終了日より後です。契約締結日を直してください。",
            )
        elif c.concluded > c.start:
            self.add(
                WARNING,
                sheet,
                "契約締結日",
                row,
                cid,
                f"の契約締結日（{format_wareki(c.concluded)}）が契約開始日（{format_wareki(c.start)}）より後です。"
                "様式第2号・第3号は業務開始前の提出が必要です（§6(2)、§7）。日付を確認してください。",
            )
        self.class_flags(sheet, row, cid, c.confidentiality, c.my_number, c.stores_important, "")
        subs = self.subs.get(cid, {})
        if c.subcontracting and not subs:
            self.add(
                ERROR,
                sheet,
                "再委託",
                row,
                cid,
                "は再委託が「有」ですが、再委託シートに再委託先の行がありません。"
                "再委託先を追加するか、再委託を「無」にしてください。",
            )
        elif not c.subcontracting and subs:
            first = min(s.row for s in subs.values())
            self.add(
                ERROR,
                sheet,
                "再委託",
                row,
                cid,
                f"は再委託が「無」ですが、再委託シート（{first}行目ほか）に再委託先があります。"
                "再委託を「有」にするか、再委託シートの行を削除してください。",
            )

    def class_flags(
        self, sheet: str, row: int, cid: str, level: int, my_number: bool, stores: bool, who: str
    ) -> None:
        """My Number is class 3 (§1); storing important information needs class 2 or 3."""
        if my_number and level < 3:
            self.add(
                ERROR,
                sheet,
                "機密性区分",
                row,
                cid,
                f"{who}は特定個人情報が「有」ですが機密性区分が{level}です。特定個人情報は機密性3です（§1）。"
                "機密性区分を3にするか、特定個人情報を「無」にしてください。",
            )
        if stores and level == 1:
            self.add(
                ERROR,
                sheet,
                "重要情報の保存",
                row,
                cid,
                f"{who}は重要情報の保存が「有」ですが機密性区分が1（一般情報）です。"
                "機密性区分を2か3にするか、重要情報の保存を「無」にしてください。",
            )

    # -- 再委託 ---------------------------------------------------------------

    def subcontractor(self, c: Contract, s: Subcontractor) -> None:
        cid, row = c.contract_id, s.row
        who = f"の再委託先「{s.name}」"
        if s.confidentiality > c.confidentiality:
            self.add(
                ERROR,
                _SUB,
                "機密性区分",
                row,
                cid,
                f"{who}の機密性区分（{s.confidentiality}）が契約の機密性区分（{c.confidentiality}）を超えています。"
                "どちらかを直してください。",
            )
        if s.my_number and not c.my_number:
            self.add(
                ERROR,
                _SUB,
                "特定個人情報",
                row,
                cid,
                f"{who}は特定個人情報が「有」ですが、契約は特定個人情報が「無」です。どちらかを直してください。",
            )
        self.class_flags(_SUB, row, cid, s.confidentiality, s.my_number, s.stores_important, who)
        start = s.start or c.start
        end = s.end or c.effective_end
        period = f"契約期間（{format_wareki(c.start)}〜{format_wareki(c.end)}）"
        if start < c.start or start > c.effective_end:
            self.add(
                ERROR,
                _SUB,
                "再委託開始日",
                row,
                cid,
                f"{who}の再委託開始日（{format_wareki(start)}）が{period}の外です。再委託開始日を直してください。",
            )
        if end > c.end:
            self.add(
                ERROR,
                _SUB,
                "再委託終了日",
                row,
                cid,
                f"{who}の再委託終了日（{format_wareki(end)}）が{period}の外です。再委託終了日を直してください。",
            )
        elif end < start:
            self.add(
                ERROR,
                _SUB,
                "再委託終了日",
                row,
                cid,
                f"{who}の再委託終了日（{format_wareki(end)}）が再委託開始日（{format_wareki(start)}）より前です。"
                "再委託期間を直してください。",
            )
        if s.applied and s.approved and s.applied > s.approved:
            self.add(
                ERROR,
                _SUB,
                "申請日",
                row,
                cid,
                f"{who}の申請日（{format_wareki(s.applied)}）が承認日（{format_wareki(s.approved)}）より後です。"
                "日付を直してください。",
            )
        if s.approved is None:
            self.add(
                WARNING,
                _SUB,
                "承認日",
                row,
                cid,
                f"{who}の承認日が空欄です。再委託は業務開始前に市の承認が必要です（§12(1)）。"
                "承認されたら承認日と承認番号を入力してください（それまで様式第7号は「承認待ち」）。",
            )
        elif s.approved > start:
            self.add(
                WARNING,
                _SUB,
                "承認日",
                row,
                cid,
                f"{who}の承認日（{format_wareki(s.approved)}）が再委託開始日（{format_wareki(start)}）より後です。"
                "再委託は業務開始前に市の承認が必要です（§12(1)）。日付を確認してください。",
            )

    # -- 従事者 ---------------------------------------------------------------

    def staff(self, m: StaffMember) -> None:
        c = self.contracts[m.contract_id]
        sub = self.subs[c.contract_id].get(m.subcontractor) if m.subcontractor else None
        owner = f"再委託先「{sub.name}」" if sub else "契約"
        level = sub.confidentiality if sub else c.confidentiality
        my_number = sub.my_number if sub else c.my_number
        who = f"の従事者「{m.name}」"
        if m.handles_important and level == 1:
            self.add(
                ERROR,
                _STAFF,
                "重要情報取扱",
                m.row,
                c.contract_id,
                f"{who}は重要情報取扱が「有」ですが、{owner}の機密性区分が1です。"
                f"このままでは必要な様式が作られません。{owner}の機密性区分か、この従事者の重要情報取扱を直してください。",
            )
        if m.handles_my_number and not my_number:
            self.add(
                ERROR,
                _STAFF,
                "特定個人情報取扱",
                m.row,
                c.contract_id,
                f"{who}は特定個人情報取扱が「有」ですが、{owner}の特定個人情報が「無」です。"
                f"このままでは様式第5号が作られません。{owner}の特定個人情報か、この従事者の特定個人情報取扱を直してください。",
            )
        if m.handles_my_number and not m.handles_important:
            self.add(
                ERROR,
                _STAFF,
                "重要情報取扱",
                m.row,
                c.contract_id,
                f"{who}は特定個人情報取扱が「有」ですが重要情報取扱が「無」です。"
                "特定個人情報は重要情報です（§1）。重要情報取扱を「有」にしてください。",
            )
        status = training_status(m, work_start(c, sub))
        if not status.trained:
            self.add(
                WARNING,
                _STAFF,
                "研修受講日",
                m.row,
                c.contract_id,
                f"{who}: {status.reason}。業務開始前1年以内の研修受講が必要です（§7）。"
                "様式第3号では「未受講」と記載されます。",
            )

    # -- 廃棄 -----------------------------------------------------------------

    def disposals(self, rows: list[Disposal]) -> None:
        groups: dict[tuple[str, str], list[Disposal]] = defaultdict(list)
        for d in rows:
            groups[(d.contract_id, d.subcontractor)].append(d)
        for (cid, sub_name), group in groups.items():
            c = self.contracts[cid]
            sub = self.subs[cid].get(sub_name) if sub_name else None
            owner = f"再委託先「{sub.name}」" if sub else "契約"
            level = sub.confidentiality if sub else c.confidentiality
            stores = sub.stores_important if sub else c.stores_important
            my_number = sub.my_number if sub else c.my_number
            if level == 1 or not stores:
                why = "機密性区分が1" if level == 1 else "重要情報の保存が「無」"
                self.add(
                    WARNING,
                    _DISPOSAL,
                    "契約番号",
                    group[0].row,
                    cid,
                    f"の廃棄の記録がありますが、{owner}は{why}のため様式第1号は作られません。"
                    f"様式第1号が必要なら{owner}の機密性区分・重要情報の保存を直してください。",
                )
            for d in group:
                self.disposal(cid, d, my_number)

    def disposal(self, cid: str, d: Disposal, my_number: bool) -> None:
        if my_number and d.method in ("消去", "廃棄") and not d.witness:
            self.add(
                WARNING,
                _DISPOSAL,
                "立会者",
                d.row,
                cid,
                f"の「{d.item}」の{d.method}に立会者がいません。特定個人情報の消去・廃棄には"
                "市の立会いが必要です（§4 注、§10(3)）。立ち会った市職員の氏名を入力してください。",
            )
        medium = unicodedata.normalize("NFKC", d.medium).upper()
        if _USB.search(medium):
            self.add(
                WARNING,
                _DISPOSAL,
                "媒体",
                d.row,
                cid,
                f"の「{d.item}」の媒体が USB メモリです。USB メモリへの保管は一切禁止です（§10(1)①）。"
                "媒体を確認してください。",
            )
        elif my_number and _PORTABLE.search(medium):
            self.add(
                WARNING,
                _DISPOSAL,
                "媒体",
                d.row,
                cid,
                f"の「{d.item}」の媒体（{d.medium}）は可搬記録媒体です。特定個人情報での可搬記録媒体の使用は"
                "一切禁止です（§10(2)）。媒体を確認してください。",
            )
