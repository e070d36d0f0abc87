"""Frozen records: what the workbook holds and what the rules plan.

Every other module speaks in these types. Dates are ``datetime.date``;
flags (有/無) are ``bool``; ``row`` is the 1-based sheet row a record came
from, so problems can name their cell.

The fixed sets (Form, Timing, Severity, Submitter, Status) carry their Japanese
wording as properties, so every list, form and message says them the same way.
A ``Party`` (the contractor or one subcontractor) is the one definition of who
owes forms with which flags over which period; a ``Problem`` keeps where it is
(sheet, row, column) and whose row it is as data, never inside its text.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import Enum, IntEnum
from functools import cache, cached_property
from typing import Any


class Severity(str, Enum):
    """How bad a problem is. Fatal problems are raised (InputUnusable), not listed."""

    ERROR = "error"  # the contract is left out of generation
    WARNING = "warning"  # reported; the forms are still made

    @property
    def label(self) -> str:
        """エラー / 警告, as every list of problems shows it."""
        return "エラー" if self is Severity.ERROR else "警告"


class Timing(str, Enum):
    """The three submission timings of rules §9, and 随時 for what falls due between them (SPEC §4)."""

    CONCLUSION = "conclusion"  # ① 契約締結時
    FISCAL_YEAR = "fiscal_year"  # ② 年度切替時
    END = "end"  # ③ 契約終了時
    CHANGE = "change"  # 随時: form 2 変更, a mid-contract form 1 (§6(2), §10(3))

    @property
    def mark(self) -> str:
        """The circled number: ①, ② or ③ ("" for 随時, which has none)."""
        return _TIMING_MARKS[self]

    @property
    def japanese(self) -> str:
        """The timing's name: 契約締結時, 年度切替時, 契約終了時."""
        return _TIMING_NAMES[self]

    @property
    def label(self) -> str:
        """The mark and the name: ①契約締結時."""
        return f"{self.mark}{self.japanese}"

    @property
    def order(self) -> int:
        """0, 1, 2: the order of §9 (a dict: this runs once per sort key)."""
        return _TIMING_ORDER[self]

    @classmethod
    def from_mark(cls, mark: str) -> Timing:
        """①/②/③ (or 1/2/3) → Timing."""
        table = {"①": cls.CONCLUSION, "②": cls.FISCAL_YEAR, "③": cls.END}
        table.update({"1": cls.CONCLUSION, "2": cls.FISCAL_YEAR, "3": cls.END})
        return table[mark.strip()]

    @classmethod
    def from_text(cls, text: str) -> Timing | None:
        """A timing as a user may name it (SPEC §6): end, 契約終了時, ③契約終了時, ③ or 3; else None."""
        key = unicodedata.normalize("NFKC", text).strip().lower()
        for timing in cls:
            names = (timing.value, timing.japanese, timing.label, timing.mark)
            if key and key in {unicodedata.normalize("NFKC", n).lower() for n in names if n}:
                return timing
        return None


_TIMING_MARKS = {
    Timing.CONCLUSION: "①",
    Timing.FISCAL_YEAR: "②",
    Timing.END: "③",
    Timing.CHANGE: "",
}
_TIMING_ORDER = {Timing.CONCLUSION: 0, Timing.FISCAL_YEAR: 1, Timing.END: 2, Timing.CHANGE: 3}
_TIMING_NAMES = {
    Timing.CONCLUSION: "契約締結時",
    Timing.FISCAL_YEAR: "年度切替時",
    Timing.END: "契約終了時",
    Timing.CHANGE: "随時",
}


class Submitter(str, Enum):
    """Who hands a form to the city."""

    CONTRACTOR = "contractor"  # 受託者
    SUBCONTRACTOR = "subcontractor"  # 再委託先 (submitted through the contractor)
    CITY = "city"  # 市 (form 7)

    @property
    def label(self) -> str:
        """受託者 / 再委託先（受託者経由） / 市, as the plan lists show it."""
        return {
            Submitter.CONTRACTOR: "受託者",
            Submitter.SUBCONTRACTOR: "再委託先（受託者経由）",
            Submitter.CITY: "市",
        }[self]


class Status(str, Enum):
    """Whether a planned form can be made now."""

    READY = "ready"
    PENDING = "pending"  # form 7 without 承認日: listed, not rendered

    @property
    def label(self) -> str:
        """予定 / 承認待ち（承認日未入力）, as the plan lists show it."""
        return "予定" if self is Status.READY else "承認待ち（承認日未入力）"


class Form(IntEnum):
    """The seven forms (参考様式一覧)."""

    DISPOSAL_CERTIFICATE = 1
    STAFF_STRUCTURE = 2
    TRAINING_REPORT = 3
    IMPORTANT_INFO_REPORT = 4
    MY_NUMBER_REPORT = 5
    SUBCONTRACT_APPLICATION = 6
    SUBCONTRACT_APPROVAL = 7

    @property
    def title(self) -> str:
        """The form's title: 委託業務従事者体制届出書 …"""
        return _FORM_TITLES[self]

    @property
    def label(self) -> str:
        """様式第2号 (without the timing variant; see Submission.label)."""
        return f"様式第{int(self)}号"

    @property
    def has_timing_variants(self) -> bool:
        """Forms 4 and 5 come as ①, ② and ③ (§9)."""
        return self in (Form.IMPORTANT_INFO_REPORT, Form.MY_NUMBER_REPORT)

    @property
    def names_subcontractor(self) -> bool:
        """Forms 6 and 7 are about one subcontractor, though the contractor or the city submits them."""
        return self in (Form.SUBCONTRACT_APPLICATION, Form.SUBCONTRACT_APPROVAL)


_FORM_TITLES = {
    Form.DISPOSAL_CERTIFICATE: "重要情報の消去・廃棄（返還）証明書",
    Form.STAFF_STRUCTURE: "委託業務従事者体制届出書",
    Form.TRAINING_REPORT: "教育・研修実施報告書",
    Form.IMPORTANT_INFO_REPORT: "重要情報の保護に関する報告書",
    Form.MY_NUMBER_REPORT: "特定個人情報の保護に関する報告書",
    Form.SUBCONTRACT_APPLICATION: "再委託承認申請書",
    Form.SUBCONTRACT_APPROVAL: "再委託承認通知書",
}


@dataclass(frozen=True)
class Problem:
    """One finding of validation: where it is (sheet, row, column), whose row, and what is wrong.

    ``row`` None is about the whole sheet; a ``row`` without ``column`` is about a
    row whose column is missing from the sheet. ``text`` says what is wrong and
    what to do; the location is never written into it (see ``where``/``message``).
    """

    severity: Severity
    sheet: str
    row: int | None  # the 1-based sheet row; None: the whole sheet
    header: str | None  # the column the problem is about; None: the row or the sheet
    contract_id: str | None
    subcontractor: (
        str | None
    )  # the 再委託先名称 of the row (whose row it is); None: the contractor's
    text: str
    column: str = ""  # the header's column letter in this workbook; "" when the sheet lacks it

    @property
    def cell(self) -> str:
        """H5, or "" when the problem is not about one cell."""
        return f"{self.column}{self.row}" if self.column and self.row else ""

    @property
    def where(self) -> str:
        """従事者!H5; 従事者!5行目 when the column is missing; 従事者 for the whole sheet."""
        if self.cell:
            return f"{self.sheet}!{self.cell}"
        if self.row:
            return f"{self.sheet}!{self.row}行目"
        return self.sheet

    @property
    def message(self) -> str:
        """The problem as one line: ``where: text``."""
        return f"{self.where}: {self.text}"

    @property
    def sort_key(self) -> tuple[int, int, int, str]:
        """Reading order: sheet as in the schema, then row, then column."""
        column = 0
        for ch in self.column:
            column = column * 26 + ord(ch) - 64
        return _sheet_rank().get(self.sheet, -1), self.row or 0, column, self.message

    def as_dict(self) -> dict[str, str | None]:
        """The JSON object of SPEC §4's problems."""
        return {
            "severity": self.severity.value,
            "sheet": self.sheet,
            "cell": self.cell,
            "contract_id": self.contract_id,
            "message": self.message,
        }


@cache
def _sheet_rank() -> dict[str, int]:
    # Imported on first use so that models stays importable on its own (the schema orders sheets).
    from hino_forms.workbook.schema import SHEETS

    return {s.name: i for i, s in enumerate(SHEETS)}


@dataclass(frozen=True)
class Cells:
    """Where each sheet's headers were found (sheet → header → column letter); makes problems."""

    letters: Mapping[str, Mapping[str, str]]

    def problem(
        self,
        severity: Severity,
        sheet: str,
        row: int,
        header: str,
        contract_id: str | None,
        text: str,
        *,
        subcontractor: str | None = None,
    ) -> Problem:
        """A problem at ``header`` of ``row``, addressed by the column the header was found in."""
        return Problem(
            severity,
            sheet,
            row,
            header,
            contract_id,
            subcontractor or None,
            text,
            column=self.letters.get(sheet, {}).get(header, ""),
        )


@dataclass(frozen=True)
class Person:
    """A named role holder: 情報セキュリティ対策責任者 or its 代行者 (§6(1))."""

    name: str
    title: str = ""
    contact: str = ""


@dataclass(frozen=True, kw_only=True)
class Contract:
    """One row of the 契約 sheet."""

    contract_id: str  # 契約番号
    work_name: str  # 業務名
    department: str  # 担当課
    contractor_name: str  # 受託者名称
    contractor_address: str  # 受託者所在地
    representative: str  # 代表者職氏名
    concluded: date  # 契約締結日
    start: date  # 契約開始日
    end: date  # 契約終了日
    terminated: date | None = None  # 解除日 (early termination)
    confidentiality: int  # 機密性区分 1/2/3
    my_number: bool  # 特定個人情報 有
    stores_important: bool  # 重要情報の保存 有
    subcontracting: bool  # 再委託 有
    system_development: bool = False  # システム開発 有
    officer: Person  # 情報セキュリティ対策責任者
    deputy: Person  # 代行者
    workplace: str = ""  # 作業場所
    clerk: Person = Person("")  # 担当者氏名 / 担当者連絡先: who handles the paperwork
    row: int = 0

    @property
    def in_charge(self) -> Person:
        """The 担当者 of the submitter block and the cover: the 担当者, else the 責任者 (SPEC §3)."""
        if self.clerk.name:
            return Person(self.clerk.name, contact=self.clerk.contact or self.officer.contact)
        return Person(self.officer.name, contact=self.clerk.contact or self.officer.contact)

    @property
    def effective_end(self) -> date:
        """*end* of SPEC §4: 解除日 if given, else 契約終了日."""
        return self.terminated or self.end

    @property
    def handles_important(self) -> bool:
        """重要情報 = 機密性 2 以上 (§1)."""
        return self.confidentiality >= 2

    def end_as_of(self, day: date | None) -> date:
        """The last day as known on ``day``: the 解除日 once reached, else 契約終了日.

        A form dated before the termination (the ① forms of a contract ended early)
        shows the period agreed then; ``None`` (undated, or the plan) takes *end*.
        """
        if self.terminated is not None and (day is None or day >= self.terminated):
            return self.terminated
        return self.end


@dataclass(frozen=True, kw_only=True)
class Subcontractor:
    """One row of the 再委託 sheet."""

    contract_id: str
    name: str  # 再委託先名称
    address: str = ""  # 再委託先所在地
    representative: str = ""  # 再委託先代表者職氏名
    work: str = ""  # 再委託業務内容
    reason: str = ""  # 再委託理由
    start: date | None = None  # 再委託開始日 (None → the contract's start)
    end: date | None = None  # 再委託終了日 (None → the contract's *end*)
    confidentiality: int = 1
    my_number: bool = False
    stores_important: bool = False
    officer_name: str = ""  # 再委託先責任者氏名
    officer_title: str = ""  # 再委託先責任者役職
    officer_contact: str = ""  # 再委託先責任者連絡先
    deputy_name: str = ""  # 再委託先代行者氏名 (§6(1) through §12(2); blank is a warning)
    deputy_title: str = ""  # 再委託先代行者役職
    deputy_contact: str = ""  # 再委託先代行者連絡先
    applied: date | None = None  # 申請日
    approved: date | None = None  # 承認日
    approval_no: str = ""  # 承認番号
    row: int = 0

    @property
    def handles_important(self) -> bool:
        """重要情報 = 機密性 2 以上 (§1)."""
        return self.confidentiality >= 2

    @property
    def officer(self) -> Person:
        """The subcontractor's own 情報セキュリティ対策責任者."""
        return Person(self.officer_name, self.officer_title, self.officer_contact)

    @property
    def deputy(self) -> Person:
        """The subcontractor's own 代行者."""
        return Person(self.deputy_name, self.deputy_title, self.deputy_contact)


@dataclass(frozen=True)
class Party:
    """Who owes forms 1–5 of a contract: the contractor, or one subcontractor with its own flags.

    The one definition of a party's period: a subcontractor works from
    再委託開始日 (blank → 契約開始日) to 再委託終了日 (blank → the contract's
    *end*), never later than the contract's *end* (解除日 if given): a
    subcontract cannot outlive the contract it is part of (rules §12).
    """

    contract: Contract
    subcontractor: Subcontractor | None = None

    @property
    def submitter(self) -> Submitter:
        return Submitter.SUBCONTRACTOR if self.subcontractor else Submitter.CONTRACTOR

    @property
    def name(self) -> str:
        """受託者名称 or 再委託先名称."""
        return self.subcontractor.name if self.subcontractor else self.contract.contractor_name

    @property
    def key(self) -> str:
        """The 再委託先名称 the party's own rows carry on the other sheets ("" for the contractor)."""
        return self.subcontractor.name if self.subcontractor else ""

    @property
    def confidentiality(self) -> int:
        return (self.subcontractor or self.contract).confidentiality

    @property
    def my_number(self) -> bool:
        return (self.subcontractor or self.contract).my_number

    @property
    def stores_important(self) -> bool:
        return (self.subcontractor or self.contract).stores_important

    @property
    def system_development(self) -> bool:
        """The contract's システム開発: the 再委託 sheet has no such column (rules §11, §12(2))."""
        return self.contract.system_development

    @property
    def handles_important(self) -> bool:
        """重要情報 = 機密性 2 以上 (§1)."""
        return self.confidentiality >= 2

    @property
    def first(self) -> date:
        """The ① date: 申請日 for a subcontractor (blank → 契約締結日), else 契約締結日."""
        s = self.subcontractor
        return s.applied if s is not None and s.applied else self.contract.concluded

    @property
    def start(self) -> date:
        """The day the party's work starts (rules §7's "before the work")."""
        s = self.subcontractor
        return s.start if s is not None and s.start else self.contract.start

    @property
    def end(self) -> date:
        """*end*: the last day the party's duties run."""
        return self.end_as_of(None)

    def end_as_of(self, day: date | None) -> date:
        """The last day as known on ``day`` (see Contract.end_as_of), within the contract's."""
        end = self.contract.end_as_of(day)
        s = self.subcontractor
        return min(s.end, end) if s is not None and s.end else end

    def period_as_of(self, day: date | None) -> tuple[date, date]:
        """(start, end) as a form dated ``day`` shows them."""
        return self.start, self.end_as_of(day)

    @property
    def reference_day(self) -> date:
        """*R* of SPEC §4: the later of the party's start and its ① date (whom form 2 新規 lists)."""
        return max(self.start, self.first)

    @property
    def owes_training_report(self) -> bool:
        """Form 3: 機密性 2 以上 (§7), or a system development (§11 through §12(2))."""
        return self.handles_important or self.system_development

    def joined(self, member: StaffMember) -> date:
        """A staff member's first day: 従事開始日, blank = the party's start."""
        return member.joined or self.start

    def left(self, member: StaffMember) -> date:
        """A staff member's last day: 従事終了日, blank = the party's *end*."""
        return member.left or self.end

    def in_place(self, member: StaffMember, day: date) -> bool:
        """Whether ``member`` works on ``day`` (SPEC §4: 従事開始日 ≤ day ≤ 従事終了日)."""
        return self.joined(member) <= day <= self.left(member)


@dataclass(frozen=True, kw_only=True)
class StaffMember:
    """One row of the 従事者 sheet; ``subcontractor`` is "" for the contractor's own staff."""

    contract_id: str
    subcontractor: str = ""
    name: str
    affiliation: str = ""  # 所属
    role: str = ""  # 役割
    handles_important: bool = False  # 重要情報取扱
    handles_my_number: bool = False  # 特定個人情報取扱
    trained_on: date | None = None  # 研修受講日
    joined: date | None = None  # 従事開始日 (None → the party's start)
    left: date | None = None  # 従事終了日 (None → the party's *end*)
    row: int = 0


@dataclass(frozen=True, kw_only=True)
class Training:
    """One row of the 研修 sheet."""

    contract_id: str
    subcontractor: str = ""
    title: str  # 研修名
    held_on: date | None = None  # 実施日
    method: str = ""  # 実施方法
    instructor: str = ""  # 講師
    content: str = ""  # 研修内容
    topics: str = ""  # 実施項目 as written: 1-16, 1,2,4-6, 全項目; "" = not stated
    row: int = 0


@dataclass(frozen=True, kw_only=True)
class Disposal:
    """One row of the 廃棄 sheet (form 1)."""

    contract_id: str
    subcontractor: str = ""
    item: str  # 資料名
    kind: str = ""  # 区分: 紙 / 電子
    medium: str = ""  # 媒体
    quantity: str = ""  # 数量
    method: str = ""  # 方法: 返還 / 消去 / 廃棄
    detail: str = ""  # 具体的方法
    done_on: date | None = None  # 実施日
    done_by: str = ""  # 実施者
    witness: str = ""  # 立会者 (city staff)
    row: int = 0


@dataclass(frozen=True, kw_only=True)
class Answer:
    """One row of the 報告 sheet: an answer to a checklist item of form 4 or 5."""

    contract_id: str
    subcontractor: str = ""
    form: Form  # 4 or 5
    timing: Timing
    fiscal_year: int | None = None  # for ②: the year of the April 1
    item_no: str  # 項目番号, as written in the checklist data ("1", "2", …)
    answer: str = ""  # はい / いいえ / 該当なし
    note: str = ""  # 備考
    row: int = 0

    def __post_init__(self) -> None:
        if type(self.form) is not Form:  # a plain 4 is accepted and kept as Form
            object.__setattr__(self, "form", Form(self.form))


@dataclass(frozen=True, kw_only=True)
class ItemAdjustment:
    """One row of the 項目調整 sheet: the city deletes, rewords or adds a checklist item (§15(2))."""

    contract_id: str
    form: Form  # 3, 4 or 5
    item_no: str = ""  # the shipped item's number ("" for 追加)
    action: str  # 削除 / 変更 / 追加
    text: str = ""  # 文言: the new wording (変更, 追加)
    section: str = ""  # 該当項: the rules section an added item cites
    row: int = 0

    def __post_init__(self) -> None:
        if type(self.form) is not Form:
            object.__setattr__(self, "form", Form(int(self.form)))


@dataclass(frozen=True)
class Records:
    """Everything read from one workbook, plus the problems found."""

    contracts: tuple[Contract, ...] = ()
    subcontractors: tuple[Subcontractor, ...] = ()
    staff: tuple[StaffMember, ...] = ()
    trainings: tuple[Training, ...] = ()
    disposals: tuple[Disposal, ...] = ()
    answers: tuple[Answer, ...] = ()
    problems: tuple[Problem, ...] = ()
    adjustments: tuple[ItemAdjustment, ...] = ()

    @property
    def failed_contract_ids(self) -> frozenset[str]:
        """Contracts with at least one error: left out of planning and generation."""
        return frozenset(
            p.contract_id
            for p in self.problems
            if p.severity is Severity.ERROR and p.contract_id is not None
        )

    @property
    def has_errors(self) -> bool:
        return any(p.severity is Severity.ERROR for p in self.problems)

    @cached_property
    def _index(self) -> dict[str, dict[tuple[str, str], tuple[Any, ...]]]:
        """Rows grouped by (contract, subcontractor), one kind at a time on first use (see _rows)."""
        return {}

    @cached_property
    def _contracts(self) -> dict[str, Contract]:
        return {c.contract_id: c for c in reversed(self.contracts)}  # the first of duplicates wins

    def _rows(self, kind: str, contract_id: str, subcontractor: str = "") -> tuple[Any, ...]:
        """The rows of ``kind`` owned by one contract and submitter: O(1) per look-up at scale."""
        groups = self._index.get(kind)
        if groups is None:  # two threads may both build it: the same result, either one kept
            grouped: dict[tuple[str, str], list[Any]] = {}
            for r in getattr(self, kind):
                grouped.setdefault(_owner(kind, r), []).append(r)
            groups = self._index[kind] = {k: tuple(v) for k, v in grouped.items()}
        return groups.get((contract_id, subcontractor), ())

    def contract(self, contract_id: str) -> Contract:
        return self._contracts[contract_id]

    def parties_of(self, contract_id: str) -> tuple[Party, ...]:
        """The contractor, then each subcontractor in sheet order."""
        contract = self.contract(contract_id)
        return (
            Party(contract),
            *(Party(contract, s) for s in self.subcontractors_of(contract_id)),
        )

    def party(self, contract_id: str, subcontractor: str | None = None) -> Party:
        """The contractor (no name) or the named subcontractor of a contract; KeyError if unknown."""
        contract = self.contract(contract_id)
        if not subcontractor:
            return Party(contract)
        for s in self.subcontractors_of(contract_id):
            if s.name == subcontractor:
                return Party(contract, s)
        raise KeyError(f"{contract_id}: 再委託先「{subcontractor}」がありません")

    def subcontractors_of(self, contract_id: str) -> tuple[Subcontractor, ...]:
        return self._rows("subcontractors", contract_id)

    def staff_of(self, contract_id: str, subcontractor: str = "") -> tuple[StaffMember, ...]:
        return self._rows("staff", contract_id, subcontractor)

    def trainings_of(self, contract_id: str, subcontractor: str = "") -> tuple[Training, ...]:
        return self._rows("trainings", contract_id, subcontractor)

    def disposals_of(self, contract_id: str, subcontractor: str = "") -> tuple[Disposal, ...]:
        return self._rows("disposals", contract_id, subcontractor)

    def answers_of(self, contract_id: str, subcontractor: str = "") -> tuple[Answer, ...]:
        return self._rows("answers", contract_id, subcontractor)

    def adjustments_of(self, contract_id: str) -> tuple[ItemAdjustment, ...]:
        """The 項目調整 rows of a contract (they hold for its subcontractors' forms too)."""
        return self._rows("adjustments", contract_id)

    def problems_of(self, contract_id: str) -> tuple[Problem, ...]:
        return self._rows("problems", contract_id)


def _owner(kind: str, row: Any) -> tuple[str, str]:
    """The (contract, subcontractor) key a row is grouped under in Records."""
    if kind in ("subcontractors", "adjustments"):  # the contract's own rows, no 再委託先名称
        return row.contract_id, ""
    if kind == "problems":
        return row.contract_id or "", ""
    return row.contract_id, row.subcontractor


@dataclass(frozen=True, kw_only=True)
class Submission:
    """One form due from one submitter at one timing (a row of ``plan``)."""

    contract_id: str
    form: Form
    timing: Timing
    date: date | None  # None only for pending form 7
    fiscal_year: int | None = None  # year of the April 1, for ② rows
    submitter: Submitter = Submitter.CONTRACTOR
    subcontractor: str | None = None  # the subcontractor's name (subcontractor rows, forms 6, 7)
    status: Status = Status.READY
    reasons: tuple[str, ...] = field(default=())
    # A ① form dated other than the contract's 契約締結日 (a later subcontractor's
    # application, a form 3 dated by its training, form 7): filed 随時 (SPEC §5).
    occasional: bool = False

    def __post_init__(self) -> None:
        if type(self.form) is not Form:  # a plain 4 is accepted and kept as Form
            object.__setattr__(self, "form", Form(self.form))

    @property
    def label(self) -> str:
        """様式第4号-② for forms 4 and 5, 様式第2号（変更） for a 随時 form 2, 様式第2号 otherwise."""
        if self.form.has_timing_variants:
            return f"{self.form.label}-{self.timing.mark}"
        if self.form is Form.STAFF_STRUCTURE and self.timing is Timing.CHANGE:
            return f"{self.form.label}（変更）"
        return self.form.label

    @property
    def filing(self) -> Timing:
        """The timing it is filed under (folder, cover, lists): 随時 for an ``occasional`` ① form."""
        return Timing.CHANGE if self.occasional else self.timing

    @property
    def title(self) -> str:
        return self.form.title

    def sort_key(self) -> tuple[object, ...]:
        """SPEC §4: date (nulls last), contract, form; then timing and subcontractor for stability."""
        return (
            self.date is None,
            self.date or date.max,
            self.contract_id,
            self.form,
            self.timing.order,
            self.subcontractor or "",
        )

    def as_dict(self) -> dict[str, object]:
        """The JSON object of SPEC §4."""
        return {
            "contract_id": self.contract_id,
            "form": int(self.form),
            "label": self.label,
            "timing": self.timing.value,
            "date": self.date.isoformat() if self.date else None,
            "fiscal_year": self.fiscal_year,
            "submitter": self.submitter.value,
            "subcontractor": self.subcontractor,
            "status": self.status.value,
            "reasons": list(self.reasons),
        }
