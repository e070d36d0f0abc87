"""The consistency rules of SPEC §3: records read from a workbook → cell-addressed problems.

Pure: no Excel, no clock. ``reader`` reads the cells and tells us where
each header was found (models.Cells) so every problem names its cell; the
rules that need only one cell (empty, unreadable, duplicates) are found
while reading, the rest here. Everything is indexed by contract id first,
so the cost grows with the number of rows, never with its square.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Protocol, TypeVar

from hino_forms.dates import format_wareki
from hino_forms.forms.adjust import adjustment_problems, checklist_for
from hino_forms.models import (
    Cells,
    Contract,
    Disposal,
    Form,
    Party,
    Problem,
    Records,
    Severity,
    StaffMember,
    Subcontractor,
    Training,
)
from hino_forms.planning.training import (
    covered_topics,
    parse_topics,
    reported_sessions,
    training_status,
)
from hino_forms.workbook import schema
from hino_forms.workbook.ids import nearest

ERROR, WARNING = Severity.ERROR, Severity.WARNING
_SUB = schema.SUBCONTRACT.name
_STAFF = schema.STAFF.name
_DISPOSAL = schema.DISPOSAL.name
_TRAINING = schema.TRAINING.name
# Removable media (§10(1)①, §10(2)): latin names as whole words so that "SSD" is not "SD".
_PORTABLE = re.compile(
    r"(?<![A-Z])(USB|DVD|CD|BD|SD|MICROSD|SDHC|SDXC|MO|FD|LTO)(?![A-Z])"
    r"|ブルーレイ|メモリー?カード|外付|可搬|フロッピー|テープ|ポータブル|フラッシュメモリ"
)
_USB = re.compile(r"USB")


class _Row(Protocol):
    """What every record of a sheet with a 契約番号 column has."""

    @property
    def contract_id(self) -> str: ...

    @property
    def row(self) -> int: ...


_RowT = TypeVar("_RowT", bound=_Row)


def check_consistency(records: Records, *, cells: Cells, listed_ids: set[str]) -> list[Problem]:
    """Every cross-cell rule of SPEC §3 over ``records``; ``listed_ids`` = every 契約番号 on 契約.

    ``records.problems`` are those found while reading: a cell reported there as
    unreadable is not reported again here (as blank, or through a date it stands for).
    """
    return _Checker(records, cells, listed_ids).run()


@dataclass(frozen=True)
class _At:
    """One sheet row of one contract (and whose row it is): adds problems about its cells."""

    checker: _Checker
    sheet: str
    row: int
    contract_id: str
    subcontractor: str | None = None

    def error(self, header: str, text: str) -> None:
        self.checker.add(ERROR, self, header, text)

    def warning(self, header: str, text: str) -> None:
        self.checker.add(WARNING, self, header, text)

    def unreadable(self, header: str) -> bool:
        """Whether the reader already reported this row's ``header`` cell (its value is unknown)."""
        return (self.sheet, self.row, header) in self.checker.reported


def _period(contract: Contract) -> str:
    """契約期間（令和7年4月1日〜令和8年3月31日）, the period a 再委託終了日 must lie in."""
    return f"契約期間（{format_wareki(contract.start)}〜{format_wareki(contract.end)}）"


def _period_until_termination(contract: Contract) -> str:
    """The period a 再委託開始日 must lie in: up to the 解除日 when the contract was terminated."""
    if contract.terminated is None:
        return _period(contract)
    return (
        f"解除日までの契約期間（{format_wareki(contract.start)}〜"
        f"{format_wareki(contract.terminated)}）"
    )


class _Checker:
    def __init__(self, records: Records, cells: Cells, listed_ids: set[str]) -> None:
        self.records = records
        self.cells = cells
        self.listed = listed_ids
        self.problems: list[Problem] = []
        self.reported = {(p.sheet, p.row, p.header) for p in records.problems}
        self.contracts = {c.contract_id: c for c in records.contracts}
        self.subcontractors: dict[str, dict[str, Subcontractor]] = defaultdict(dict)
        self._topics: dict[str, tuple[tuple[int, str], ...]] = {}  # form 3 topics per contract
        for s in records.subcontractors:
            self.subcontractors[s.contract_id][s.name] = s

    def add(self, severity: Severity, at: _At, header: str, text: str) -> None:
        cid = at.contract_id
        self.problems.append(
            self.cells.problem(
                severity,
                at.sheet,
                at.row,
                header,
                cid,
                f"契約「{cid}」{text}",
                subcontractor=at.subcontractor,
            )
        )

    def party(self, contract: Contract, subcontractor: str) -> Party:
        """Whose row it is: the contractor's ("") or a known subcontractor's."""
        found = (
            self.subcontractors[contract.contract_id].get(subcontractor) if subcontractor else None
        )
        return Party(contract, found)

    def run(self) -> list[Problem]:
        for c in self.records.contracts:
            self.contract(c)
        for s in self.attached(self.records.subcontractors, _SUB):
            self.subcontractor(self.contracts[s.contract_id], s)
        for m in self.attached(self.records.staff, _STAFF):
            self.staff(m)
        sessions = list(self.attached(self.records.trainings, _TRAINING))
        for t in sessions:
            self.training(t)
        self.training_coverage(sessions)
        list(self.attached(self.records.answers, schema.REPORT.name))
        self.disposals(list(self.attached(self.records.disposals, _DISPOSAL)))
        adjustments = tuple(self.attached(self.records.adjustments, schema.ADJUSTMENT.name))
        self.problems += adjustment_problems(
            replace(self.records, adjustments=adjustments), self.cells
        )
        return self.problems

    # -- references ----------------------------------------------------------

    def attached(self, rows: Iterable[_RowT], sheet: str) -> Iterable[_RowT]:
        """The rows whose contract (and subcontractor) exist; report those naming unknown ones."""
        for r in rows:
            cid = r.contract_id
            # A 再委託 row *is* a subcontractor; other sheets name one (or "" for the contractor's).
            own = r.name if isinstance(r, Subcontractor) else str(getattr(r, "subcontractor", ""))
            at = _At(self, sheet, r.row, cid, own or None)
            if cid not in self.contracts:
                if cid not in self.listed:
                    self.unknown_contract(sheet, r.row, cid, own or None)
                continue  # listed but unreadable: that row already has its error
            if not isinstance(r, Subcontractor) and own and own not in self.subcontractors[cid]:
                near = nearest(own, self.subcontractors[cid])
                hint = f"「{'」「'.join(near)}」の誤りではありませんか。" if near else ""
                at.error(
                    "再委託先名称",
                    f"の再委託先「{own}」は再委託シートにありません。{hint}"
                    "名称を再委託シートと同じにするか、再委託シートに行を追加してください。",
                )
                continue
            yield r

    def unknown_contract(self, sheet: str, row: int, typed: str, owner: str | None) -> None:
        """A row naming no contract: the nearest id is named, and one alone is held back (SPEC §3)."""
        near = nearest(typed, self.contracts)
        text = f"契約「{typed}」は契約シートにありません。"
        if not near:
            text += "契約番号の誤りを直すか、契約シートに行を追加してください。"
        else:
            text += f"「{'」「'.join(near)}」の誤りではありませんか。"
            forms = schema.SHEETS_BY_NAME[sheet].forms if sheet in schema.SHEETS_BY_NAME else ()
            if len(near) == 1 and forms:
                names = "・".join(f"様式第{n}号" for n in forms)
                text += f"このままでは {near[0]} の{names}にこの行が載りません。"
            text += "契約番号を直してください。"
        # One near id: the error counts against that contract, left out until the row is fixed.
        owner_id = near[0] if len(near) == 1 else typed
        self.problems.append(
            self.cells.problem(ERROR, sheet, row, "契約番号", owner_id, text, subcontractor=owner)
        )

    # -- 契約 -----------------------------------------------------------------

    def contract(self, c: Contract) -> None:
        at = _At(self, schema.CONTRACT.name, c.row, c.contract_id)
        if c.end < c.start:
            at.error(
                "契約終了日",
                f"の契約終了日（{format_wareki(c.end)}）が契約開始日（{format_wareki(c.start)}）より前です。"
                "契約期間を直してください。",
            )
        if c.terminated and not c.start <= c.terminated <= c.end:
            at.error(
                "解除日",
                f"の解除日（{format_wareki(c.terminated)}）が契約期間"
                f"（{format_wareki(c.start)}〜{format_wareki(c.end)}）の外です。解除日を直してください。",
            )
        if c.concluded > c.end:
            at.error(
                "契約締結日",
                f"の契約締結日（{format_wareki(c.concluded)}）が契約終了日より後です。契約締結日を直してください。",
            )
        elif c.concluded > c.start:
            at.warning(
                "契約締結日",
                f"の契約締結日（{format_wareki(c.concluded)}）が契約開始日（{format_wareki(c.start)}）より後です。"
                "様式第2号・第3号は業務開始前の提出が必要です（§6(2)、§7）。日付を確認してください。",
            )
        self.class_flags(at, Party(c), "")
        subcontractors = self.subcontractors.get(c.contract_id, {})
        if c.subcontracting and not subcontractors:
            at.error(
                "再委託",
                "は再委託が「有」ですが、再委託シートに再委託先の行がありません。"
                "再委託先を追加するか、再委託を「無」にしてください。",
            )
        elif not c.subcontracting and subcontractors:
            first = min(s.row for s in subcontractors.values())
            others = "ほか" if len(subcontractors) > 1 else ""
            at.error(
                "再委託",
                f"は再委託が「無」ですが、再委託シート（{first}行目{others}）に再委託先があります。"
                "再委託を「有」にするか、再委託シートの行を削除してください。",
            )

    def class_flags(self, at: _At, party: Party, who: str) -> None:
        """My Number is class 3 (§1); storing important information needs class 2 or 3."""
        level = party.confidentiality
        if party.my_number and level < 3:
            at.error(
                "機密性区分",
                f"{who}は特定個人情報が「有」ですが機密性区分が{level}です。特定個人情報は機密性3です（§1）。"
                "機密性区分を3にするか、特定個人情報を「無」にしてください。",
            )
        if party.stores_important and level == 1:
            at.error(
                "重要情報の保存",
                f"{who}は重要情報の保存が「有」ですが機密性区分が1（一般情報）です。"
                "機密性区分を2か3にするか、重要情報の保存を「無」にしてください。",
            )

    # -- 再委託 ---------------------------------------------------------------

    def subcontractor(self, c: Contract, s: Subcontractor) -> None:
        at = _At(self, _SUB, s.row, c.contract_id, s.name)
        who = f"の再委託先「{s.name}」"
        if s.confidentiality > c.confidentiality:
            at.error(
                "機密性区分",
                f"{who}の機密性区分（{s.confidentiality}）が契約の機密性区分（{c.confidentiality}）を超えています。"
                "どちらかを直してください。",
            )
        if s.my_number and not c.my_number:
            at.error(
                "特定個人情報",
                f"{who}は特定個人情報が「有」ですが、契約は特定個人情報が「無」です。どちらかを直してください。",
            )
        party = Party(c, s)
        self.class_flags(at, party, who)
        # Only dates the user typed are quoted, each against the period its check uses: a
        # subcontract starts before the contract's *end* (解除日 if given) and ends by 契約終了日.
        if s.start is not None and not c.start <= s.start <= c.effective_end:
            at.error(
                "再委託開始日",
                f"{who}の再委託開始日（{format_wareki(s.start)}）が{_period_until_termination(c)}の外です。"
                "再委託開始日を直してください。",
            )
        if s.end is not None and not c.start <= s.end <= c.end:
            at.error(
                "再委託終了日",
                f"{who}の再委託終了日（{format_wareki(s.end)}）が{_period(c)}の外です。再委託終了日を直してください。",
            )
        elif s.end is not None and s.start is not None and s.end < s.start:
            at.error(
                "再委託終了日",
                f"{who}の再委託終了日（{format_wareki(s.end)}）が再委託開始日（{format_wareki(s.start)}）より前です。"
                "再委託期間を直してください。",
            )
        if not s.deputy_name:
            at.warning(
                "再委託先代行者氏名",
                f"{who}の代行者（再委託先代行者氏名）が空欄です。再委託先にも責任者とその代行者が必要です"
                "（遵守事項6(1)、12(2)）。様式第2号の代行者欄が空欄になります。代行者を入力してください。",
            )
        if s.applied and s.approved and s.applied > s.approved:
            at.error(
                "申請日",
                f"{who}の申請日（{format_wareki(s.applied)}）が承認日（{format_wareki(s.approved)}）より後です。"
                "日付を直してください。",
            )
        if s.approved is None:
            if not at.unreadable("承認日"):
                at.warning(
                    "承認日",
                    f"{who}の承認日が空欄です。再委託は業務開始前に市の承認が必要です（§12(1)）。"
                    "承認されたら承認日と承認番号を入力してください（それまで様式第7号は「承認待ち」）。",
                )
        elif s.approved > party.start and not at.unreadable("再委託開始日"):
            start = (
                f"再委託開始日（{format_wareki(s.start)}）"
                if s.start is not None
                else f"契約開始日（{format_wareki(c.start)}。再委託開始日が空欄のため）"
            )
            at.warning(
                "承認日",
                f"{who}の承認日（{format_wareki(s.approved)}）が{start}より後です。"
                "再委託は業務開始前に市の承認が必要です（§12(1)）。日付を確認してください。",
            )

    # -- 従事者 ---------------------------------------------------------------

    def staff(self, m: StaffMember) -> None:
        c = self.contracts[m.contract_id]
        party = self.party(c, m.subcontractor)
        at = _At(self, _STAFF, m.row, c.contract_id, m.subcontractor or None)
        owner = f"再委託先「{party.name}」" if party.subcontractor else "契約"
        who = f"の従事者「{m.name}」"
        if m.handles_important and party.confidentiality == 1:
            at.error(
                "重要情報取扱",
                f"{who}は重要情報取扱が「有」ですが、{owner}の機密性区分が1です。"
                f"このままでは必要な様式が作られません。{owner}の機密性区分か、この従事者の重要情報取扱を直してください。",
            )
        if m.handles_my_number and not party.my_number:
            at.error(
                "特定個人情報取扱",
                f"{who}は特定個人情報取扱が「有」ですが、{owner}の特定個人情報が「無」です。"
                f"このままでは様式第5号が作られません。{owner}の特定個人情報か、この従事者の特定個人情報取扱を直してください。",
            )
        if m.handles_my_number and not m.handles_important:
            at.error(
                "重要情報取扱",
                f"{who}は特定個人情報取扱が「有」ですが重要情報取扱が「無」です。"
                "特定個人情報は重要情報です（§1）。重要情報取扱を「有」にしてください。",
            )
        self.staff_period(at, party, m, who, owner)
        status = training_status(m, party.joined(m))
        if not status.trained and not at.unreadable("研修受講日"):
            at.warning(
                "研修受講日",
                f"{who}: {status.reason}。従事開始前1年以内の研修受講が必要です（§7）。"
                "様式第3号では「未受講」と記載されます。",
            )

    def staff_period(self, at: _At, party: Party, m: StaffMember, who: str, owner: str) -> None:
        """従事開始日/従事終了日 lie in the party's period, in order (SPEC §3)."""
        start, end = party.start, party.end
        for header, day in (("従事開始日", m.joined), ("従事終了日", m.left)):
            if day is not None and not start <= day <= end:
                # worded only when it is wrong: 和暦 formatting costs more than the check
                period = f"{owner}の期間（{format_wareki(start)}〜{format_wareki(end)}）"
                at.error(
                    header,
                    f"{who}の{header}（{format_wareki(day)}）が{period}の外です。{header}を直してください。",
                )
        if m.joined is not None and m.left is not None and m.left < m.joined:
            at.error(
                "従事終了日",
                f"{who}の従事終了日（{format_wareki(m.left)}）が従事開始日（{format_wareki(m.joined)}）"
                "より前です。日付を直してください。",
            )

    # -- 研修 -----------------------------------------------------------------

    def training(self, t: Training) -> None:
        """A session without a readable 実施日 counts as none; an unreadable 実施項目 states nothing."""
        at = _At(self, _TRAINING, t.row, t.contract_id, t.subcontractor or None)
        if t.held_on is None and not at.unreadable("実施日"):
            at.warning(
                "実施日",
                f"の研修「{t.title}」の実施日が空欄です。実施日の分からない研修は様式第3号に記載されません。"
                "実施日を入力してください。",
            )
        count = len(self.topics(t.contract_id))
        if parse_topics(t.topics, count) is None:
            at.warning(
                "実施項目",
                f"の研修「{t.title}」の実施項目「{t.topics}」を読めません（1〜{count}の番号を"
                "「1-16」「1,2,4-6」のように、又は「全項目」）。この研修の実施項目は未記載として扱います。",
            )

    def topics(self, contract_id: str) -> tuple[tuple[int, str], ...]:
        """The contract's form 3 topics (after 項目調整) as (number, only): the property it needs."""
        if (known := self._topics.get(contract_id)) is not None:
            return (
                known  # asked once per 研修 row and party: number the checklist once per contract
            )
        items = checklist_for(Form.TRAINING_REPORT, "①", self.records.adjustments_of(contract_id))
        self._topics[contract_id] = found = tuple((int(k.no), k.only) for k in items)
        return found

    def training_coverage(self, sessions: list[Training]) -> None:
        """Each party owing form 3 trained before its start, covering every topic (§7)."""
        by_party: dict[tuple[str, str], list[Training]] = defaultdict(list)
        for t in sessions:
            by_party[(t.contract_id, t.subcontractor)].append(t)
        for c in self.records.contracts:
            for subcontractor in (None, *self.subcontractors.get(c.contract_id, {}).values()):
                party = Party(c, subcontractor)
                if party.owes_training_report:
                    self.party_training(party, by_party.get((c.contract_id, party.key), []))

    def party_training(self, party: Party, sessions: list[Training]) -> None:
        c = party.contract
        if party.subcontractor is None:
            at = _At(self, schema.CONTRACT.name, c.row, c.contract_id)
            header, who = "契約番号", "の受託者"
        else:
            s = party.subcontractor
            at = _At(self, _SUB, s.row, c.contract_id, s.name)
            header, who = "再委託先名称", f"の再委託先「{s.name}」"
        held = reported_sessions(party, sessions)
        start = format_wareki(party.start)
        if not held:
            later = "（それより後の研修のみ）" if any(t.held_on for t in sessions) else ""
            at.warning(
                header,
                f"{who}には業務開始日（{start}）までに実施した研修がありません{later}。"
                "従事者への研修は業務の開始前に必要です（遵守事項7）。研修シートを確認してください。",
            )
            return
        needs = {"system_development": c.system_development, "subcontracting": c.subcontracting}
        topics = self.topics(c.contract_id)
        required = [n for n, only in topics if not only or needs.get(only, True)]
        covered = covered_topics(held, len(topics))
        missing = [n for n in required if n not in covered]
        if missing:
            at.warning(
                header,
                f"{who}の業務開始日（{start}）までの研修は、様式第3号の研修項目のうち"
                f"{_numbers(missing)}を実施していません（実施項目）。研修は市の対策を網羅する必要があります"
                "（遵守事項7）。研修を追加するか、研修シートの実施項目を確認してください。",
            )

    # -- 廃棄 -----------------------------------------------------------------

    def disposals(self, rows: list[Disposal]) -> None:
        groups: dict[tuple[str, str], list[Disposal]] = defaultdict(list)
        for d in rows:
            groups[(d.contract_id, d.subcontractor)].append(d)
        for (cid, sub_name), group in groups.items():
            party = self.party(self.contracts[cid], sub_name)
            owner = f"再委託先「{party.name}」" if party.subcontractor else "契約"
            if party.confidentiality == 1 or not party.stores_important:
                why = "機密性区分が1" if party.confidentiality == 1 else "重要情報の保存が「無」"
                _At(self, _DISPOSAL, group[0].row, cid, sub_name or None).warning(
                    "契約番号",
                    f"の廃棄の記録がありますが、{owner}は{why}のため様式第1号は作られません。"
                    f"様式第1号が必要なら{owner}の機密性区分・重要情報の保存を直してください。",
                )
            for d in group:
                self.disposal(
                    _At(self, _DISPOSAL, d.row, cid, sub_name or None), d, party.my_number
                )

    def disposal(self, at: _At, d: Disposal, my_number: bool) -> None:
        if my_number and d.method in ("消去", "廃棄") and not d.witness:
            at.warning(
                "立会者",
                f"の「{d.item}」の{d.method}に立会者がいません。特定個人情報の消去・廃棄には"
                "市の立会いが必要です（§4 注、§10(3)）。立ち会った市職員の氏名を入力してください。",
            )
        medium = unicodedata.normalize("NFKC", d.medium).upper()
        if _USB.search(medium):
            at.warning(
                "媒体",
                f"の「{d.item}」の媒体が USB メモリです。USB メモリへの保管は一切禁止です（§10(1)①）。"
                "媒体を確認してください。",
            )
        elif my_number and _PORTABLE.search(medium):
            at.warning(
                "媒体",
                f"の「{d.item}」の媒体（{d.medium}）は可搬記録媒体です。特定個人情報での可搬記録媒体の使用は"
                "一切禁止です（§10(2)）。媒体を確認してください。",
            )


def _numbers(numbers: list[int]) -> str:
    """[1, 2, 3, 5] → 1〜3、5 (the topic numbers a warning names)."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return "、".join(f"{r[0]}〜{r[-1]}" if len(r) > 2 else "、".join(map(str, r)) for r in runs)
