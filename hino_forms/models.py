"""Frozen records: what the workbook holds and what the rules plan.

Every other module speaks in these types. Dates are ``datetime.date``;
flags (有/無) are ``bool``; ``row`` is the 1-based sheet row a record came
from, so problems can name their cell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import Enum, IntEnum
from functools import cached_property
from typing import Any


class Severity(str, Enum):
    """How bad a problem is. Fatal problems are raised (InputUnusable), not listed."""

    ERROR = "error"  # the contract is left out of generation
    WARNING = "warning"  # reported; the forms are still made


class Timing(str, Enum):
    """The three submission timings of rules §9."""

    CONCLUSION = "conclusion"  # ① 契約締結時
    FISCAL_YEAR = "fiscal_year"  # ② 年度切替時
    END = "end"  # ③ 契約終了時

    @property
    def mark(self) -> str:
        """The circled number: ①, ② or ③."""
        return {"conclusion": "①", "fiscal_year": "②", "end": "③"}[self.value]

    @property
    def japanese(self) -> str:
        """The timing's name: 契約締結時, 年度切替時, 契約終了時."""
        return {"conclusion": "契約締結時", "fiscal_year": "年度切替時", "end": "契約終了時"}[
            self.value
        ]

    @property
    def order(self) -> int:
        return {"conclusion": 0, "fiscal_year": 1, "end": 2}[self.value]

    @classmethod
    def from_mark(cls, mark: str) -> Timing:
        """①/②/③ (or 1/2/3) → Timing."""
        table = {"①": cls.CONCLUSION, "②": cls.FISCAL_YEAR, "③": cls.END}
        table.update({"1": cls.CONCLUSION, "2": cls.FISCAL_YEAR, "3": cls.END})
        return table[mark.strip()]


class Submitter(str, Enum):
    CONTRACTOR = "contractor"  # 受託者
    SUBCONTRACTOR = "subcontractor"  # 再委託先 (submitted through the contractor)
    CITY = "city"  # 市 (form 7)


class Status(str, Enum):
    READY = "ready"
    PENDING = "pending"  # form 7 without 承認日: listed, not rendered


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
        return FORM_TITLES[int(self)]


FORM_TITLES: dict[int, str] = {
    1: "重要情報の消去・廃棄（返還）証明書",
    2: "委託業務従事者体制届出書",
    3: "教育・研修実施報告書",
    4: "重要情報の保護に関する報告書",
    5: "特定個人情報の保護に関する報告書",
    6: "再委託承認申請書",
    7: "再委託承認通知書",
}


@dataclass(frozen=True)
class Problem:
    """One finding of validation, tied to a sheet and cell (``cell`` may be "" for a whole sheet)."""

    severity: Severity
    sheet: str
    cell: str
    contract_id: str | None
    message: str

    @property
    def where(self) -> str:
        """従事者!H5, or the sheet's name for a whole-sheet problem."""
        return f"{self.sheet}!{self.cell}" if self.cell else self.sheet

    @property
    def detail(self) -> str:
        """The message without its leading ``where: `` (for tables that show the cell already)."""
        return self.message.removeprefix(f"{self.where}: ")

    def as_dict(self) -> dict[str, str | None]:
        return {
            "severity": self.severity.value,
            "sheet": self.sheet,
            "cell": self.cell,
            "contract_id": self.contract_id,
            "message": self.message,
        }


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
    row: int = 0

    @property
    def effective_end(self) -> date:
        """*end* of SPEC §4: 解除日 if given, else 契約終了日."""
        return self.terminated or self.end

    @property
    def handles_important(self) -> bool:
        """重要情報 = 機密性 2 以上 (§1)."""
        return self.confidentiality >= 2


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
    applied: date | None = None  # 申請日
    approved: date | None = None  # 承認日
    approval_no: str = ""  # 承認番号
    row: int = 0

    @property
    def handles_important(self) -> bool:
        return self.confidentiality >= 2


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
    form: int  # 4 or 5
    timing: Timing
    fiscal_year: int | None = None  # for ②: the year of the April 1
    item_no: str  # 項目番号, as written in the checklist data ("1", "2", …)
    answer: str = ""  # はい / いいえ / 該当なし
    note: str = ""  # 備考
    row: int = 0


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
    def _index(self) -> dict[str, dict[tuple[str, str], tuple[object, ...]]]:
        """Rows grouped by (contract, subcontractor) once, so per-form look-ups stay O(1) at scale."""
        index: dict[str, dict[tuple[str, str], list[object]]] = {}
        for kind, rows in (
            ("staff", self.staff),
            ("trainings", self.trainings),
            ("disposals", self.disposals),
            ("answers", self.answers),
        ):
            for r in rows:
                index.setdefault(kind, {}).setdefault((r.contract_id, r.subcontractor), []).append(
                    r
                )
        for sub in self.subcontractors:
            index.setdefault("subcontractors", {}).setdefault((sub.contract_id, ""), []).append(sub)
        for p in self.problems:
            index.setdefault("problems", {}).setdefault((p.contract_id or "", ""), []).append(p)
        return {k: {key: tuple(v) for key, v in groups.items()} for k, groups in index.items()}

    @cached_property
    def _contracts(self) -> dict[str, Contract]:
        return {c.contract_id: c for c in reversed(self.contracts)}  # the first of duplicates wins

    def _rows(self, kind: str, contract_id: str, subcontractor: str = "") -> tuple[Any, ...]:
        return self._index.get(kind, {}).get((contract_id, subcontractor), ())

    def contract(self, contract_id: str) -> Contract:
        return self._contracts[contract_id]

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

    def problems_of(self, contract_id: str) -> tuple[Problem, ...]:
        return self._rows("problems", contract_id)


@dataclass(frozen=True, kw_only=True)
class Submission:
    """One form due from one submitter at one timing (a row of ``plan``)."""

    contract_id: str
    form: int  # 1–7
    timing: Timing
    date: date | None  # None only for pending form 7
    fiscal_year: int | None = None  # year of the April 1, for ② rows
    submitter: Submitter = Submitter.CONTRACTOR
    subcontractor: str | None = None  # the subcontractor's name (subcontractor rows, forms 6, 7)
    status: Status = Status.READY
    reasons: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        """様式第4号-② for forms 4 and 5, 様式第2号 otherwise."""
        if self.form in (4, 5):
            return f"様式第{self.form}号-{self.timing.mark}"
        return f"様式第{self.form}号"

    @property
    def title(self) -> str:
        return FORM_TITLES[self.form]

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
            "form": self.form,
            "label": self.label,
            "timing": self.timing.value,
            "date": self.date.isoformat() if self.date else None,
            "fiscal_year": self.fiscal_year,
            "submitter": self.submitter.value,
            "subcontractor": self.subcontractor,
            "status": self.status.value,
            "reasons": list(self.reasons),
        }
