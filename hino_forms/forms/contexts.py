"""What each template sees: one context builder per form, and the cover sheet's.

Every builder takes ``(submission, records, settings)`` (the cover: ``(cover,
settings)``) and returns a plain dict. The variables below are all a template may
use; ``templates check`` flags anything else.

Common to forms 1–6 (``COMMON``):
    form_no (int), form_label (様式第4号-②), form_title, date (date|None: the date line),
    addressee (（宛先） text), contract (models.Contract), contract_period
    (令和7年4月1日から令和8年3月31日まで; 契約終了日, with （令和7年12月31日解除） once the
    form's date reaches the 解除日), is_subcontractor (bool: a subcontractor submits
    through the contractor), subcontractor (models.Subcontractor|None), sub_period (the
    subcontractor's 再委託期間, "" for the contractor), submitter
    (SubmitterView: address, name, representative, person, contact), footer_id.
Form 1: disposals (DisposalRow…), my_number (bool).
Form 2: new_filing (bool), officers (OfficerRow: role, person), workplace,
    subcontracting (bool), subcontractor_names (list[str]), staff (StaffRow…).
Form 3: trainings (models.Training…), topics (TopicRow…), staff (TrainedRow…),
    untrained_count (int), system_development (bool).
Forms 4, 5: timing (models.Timing), timing_mark (①②③), report_period, items (ItemRow…).
Form 6: sub_period, attachments (AttachmentRow…).
Form 7 (from the city): form_no, form_label, form_title, contract, subcontractor, footer_id,
    approval_no, approved, applied (date|None), sender, seal_omitted (bool),
    conditions (list[str]), sub_period.
Cover: form_label (送付書), footer_id, contract, date, timing_label (①契約締結時),
    fiscal_year_label (令和7年度分: the fiscal year a ② report covers, or ""), submitter_label, entries (EntryRow: no, label,
    title, page), problems (ProblemRow: where, message).

Text from the workbook is printed literally: the Jinja environment escapes it and
nothing here compiles it; characters XML cannot hold are dropped (``clean``).
"""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from hino_forms import resources
from hino_forms.dates import (
    fiscal_year_of,
    fiscal_year_span,
    format_period,
    format_wareki,
    format_wareki_year,
)

# Cover and CoverEntry live with the cover logic (forms/cover.py); re-exported for render.py.
from hino_forms.forms.cover import Cover as Cover
from hino_forms.forms.cover import CoverEntry as CoverEntry
from hino_forms.models import (
    FORM_TITLES,
    Answer,
    Contract,
    Person,
    Problem,
    Records,
    StaffMember,
    Subcontractor,
    Submission,
    Submitter,
    Timing,
)
from hino_forms.planning.training import training_status, work_start

CHECKLIST_DIR = resources.CHECKLISTS_DIR
CHECKLIST_FILES = {3: "form3_topics.json", 4: "form4_items.json", 5: "form5_items.json"}

DEFAULT_CONDITIONS = (
    "再委託先は、日野市外部委託における情報セキュリティ遵守事項を遵守すること。",
    "受託者は、再委託先に本契約に基づく一切の義務を遵守させるとともに、再委託先に対して"
    "全ての監督責任を負うこと（遵守事項第12項(2)）。",
    "再委託先による更なる再委託、及び再委託の内容を変更する場合は、改めて申請し承認を受けること。",
    "情報セキュリティを損ねる事象又はその恐れがある場合は、速やかに市に報告すること。",
    "市は、必要に応じて再委託先に対し立ち入り調査を行うことができること。",
)


@dataclass(frozen=True)
class Settings:
    """What the city may configure on the forms."""

    addressee: str = "日野市長"  # （宛先）… on forms 1–6
    city_sender: str = "日野市長"  # sender of form 7
    seal_omitted: bool = True  # print （公印省略） on form 7
    approval_conditions: tuple[str, ...] = DEFAULT_CONDITIONS  # 承認条件 of form 7


# ---------------------------------------------------------------- row views


@dataclass(frozen=True)
class SubmitterView:
    address: str
    name: str
    representative: str
    person: str  # 担当者
    contact: str  # 連絡先


@dataclass(frozen=True)
class OfficerRow:
    role: str  # 情報セキュリティ対策責任者 / 代行者
    person: Person


@dataclass(frozen=True)
class StaffRow:
    no: int
    name: str
    affiliation: str
    role: str
    handles_important: bool
    handles_my_number: bool


@dataclass(frozen=True)
class TrainedRow:
    no: int
    name: str
    affiliation: str
    trained_on: date | None
    trained: bool
    status: str  # 受講済 / 未受講
    reason: str


@dataclass(frozen=True)
class DisposalRow:
    item: str
    kind: str
    medium: str
    quantity: str
    method: str
    detail: str
    done_on: date | None
    done_by: str
    witness: str
    returned: bool
    erased: bool
    destroyed: bool


@dataclass(frozen=True)
class TopicRow:
    no: str
    text: str
    section: str
    done: bool


@dataclass(frozen=True)
class ItemRow:
    no: str
    text: str
    section: str
    answer: str  # はい / いいえ / 該当なし / ""
    note: str


@dataclass(frozen=True)
class AttachmentRow:
    label: str
    required: bool


@dataclass(frozen=True)
class EntryRow:
    no: int
    label: str
    title: str
    page: str


@dataclass(frozen=True)
class ProblemRow:
    where: str  # 従事者!H5
    message: str


@dataclass(frozen=True)
class ChecklistItem:
    """One item of a checklist file (resources/checklists/*.json)."""

    no: str
    text: str
    section: str
    timings: tuple[str, ...] = ("①", "②", "③")
    keywords: tuple[str, ...] = ()
    na_unless: str = ""  # pre-tick 該当なし when the contract lacks this property


# ---------------------------------------------------------------- helpers

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    """Drop characters an XML document cannot hold (Excel text may carry them)."""
    return _XML_BAD.sub("", text)


def _cleaned(record: Any) -> Any:
    """A copy of a frozen record whose str fields (and nested Persons) are ``clean``."""
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(record):
        value = getattr(record, f.name)
        if isinstance(value, str) and _XML_BAD.search(value):
            changes[f.name] = clean(value)
        elif isinstance(value, Person):
            fixed = _cleaned(value)
            if fixed is not value:
                changes[f.name] = fixed
    return dataclasses.replace(record, **changes) if changes else record


def load_checklist(form: int, directory: Path | None = None) -> tuple[ChecklistItem, ...]:
    """The checklist of form 3, 4 or 5; a file of the same name in ``directory`` wins."""
    name = CHECKLIST_FILES[form]
    path = directory / name if directory is not None and (directory / name).is_file() else None
    return _read_checklist(path or CHECKLIST_DIR / name)


@lru_cache(maxsize=16)
def _read_checklist(path: Path) -> tuple[ChecklistItem, ...]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        ChecklistItem(
            no=str(raw["no"]),
            text=raw["text"],
            section=raw.get("section", ""),
            timings=tuple(raw.get("timings", ("①", "②", "③"))),
            keywords=tuple(raw.get("keywords", ())),
            na_unless=raw.get("na_unless", ""),
        )
        for raw in data["items"]
    )


_ANSWERS = {
    "はい": "はい",
    "yes": "はい",
    "y": "はい",
    "○": "はい",
    "〇": "はい",
    "true": "はい",
    "いいえ": "いいえ",
    "no": "いいえ",
    "n": "いいえ",
    "×": "いいえ",
    "false": "いいえ",
    "該当なし": "該当なし",
    "該当無し": "該当なし",
    "n/a": "該当なし",
    "na": "該当なし",
    "-": "該当なし",
    "－": "該当なし",
    "ー": "該当なし",
}


def normalize_answer(text: str) -> str:
    """はい / いいえ / 該当なし, or "" for a blank or unknown answer."""
    key = unicodedata.normalize("NFKC", text or "").strip().lower()
    return _ANSWERS.get(key, _ANSWERS.get(text.strip(), "") if text else "")


def _subcontractor(records: Records, submission: Submission) -> Subcontractor | None:
    if not submission.subcontractor:
        return None
    for s in records.subcontractors_of(submission.contract_id):
        if s.name == submission.subcontractor:
            return _cleaned(s)
    raise KeyError(f"{submission.contract_id}: 再委託先「{submission.subcontractor}」がありません")


def _is_sub(submission: Submission) -> bool:
    return submission.submitter is Submitter.SUBCONTRACTOR


def end_as_of(contract: Contract, on: date | None) -> date:
    """The contract's last day as known on ``on``: the 解除日 once reached, else 契約終了日.

    A form dated before the termination (the ① forms of a contract ended early) shows
    the period that was agreed then; undated forms take *end*.
    """
    if contract.terminated is not None and (on is None or on >= contract.terminated):
        return contract.terminated
    return contract.end


def contract_period(contract: Contract, on: date | None) -> str:
    """契約期間: 契約開始日 to 契約終了日, and the 解除日 once the form's date reaches it."""
    text = format_period(contract.start, contract.end)
    if contract.terminated is not None and end_as_of(contract, on) == contract.terminated:
        text += f"（{format_wareki(contract.terminated)}解除）"
    return text


def period_of(
    contract: Contract, sub: Subcontractor | None, on: date | None = None
) -> tuple[date, date]:
    """The submitter's period as of ``on``: the contract's, or the subcontractor's within it."""
    end = end_as_of(contract, on)
    if sub is None:
        return contract.start, end
    return work_start(contract, sub), min(sub.end or end, end)


def report_period(submission: Submission, contract: Contract, sub: Subcontractor | None) -> str:
    """報告対象期間: ① the period; ② the fiscal year that ended (clipped); ③ the whole period."""
    start, end = period_of(contract, sub, submission.date)
    if submission.timing is Timing.FISCAL_YEAR:
        fy = submission.fiscal_year or fiscal_year_of(submission.date or start)
        first, last = fiscal_year_span(fy - 1)
        return format_period(max(first, start), min(last, end))
    return format_period(start, end)


def common(submission: Submission, records: Records, settings: Settings) -> dict[str, Any]:
    """The variables every form 1–6 has (see the module docstring)."""
    contract = _cleaned(records.contract(submission.contract_id))
    sub = _subcontractor(records, submission)
    if _is_sub(submission) and sub is not None:
        submitter = SubmitterView(sub.address, sub.name, sub.representative, sub.officer_name, "")
    else:
        submitter = SubmitterView(
            contract.contractor_address,
            contract.contractor_name,
            contract.representative,
            contract.officer.name,
            contract.officer.contact,
        )
    return {
        "form_no": submission.form,
        "form_label": submission.label,
        "form_title": FORM_TITLES[submission.form],
        "date": submission.date,
        "addressee": settings.addressee,
        "contract": contract,
        "contract_period": contract_period(contract, submission.date),
        "is_subcontractor": _is_sub(submission),
        "subcontractor": sub,
        "sub_period": format_period(*period_of(contract, sub, submission.date))
        if _is_sub(submission) and sub is not None
        else "",
        "submitter": submitter,
        "footer_id": contract.contract_id,
    }


def _own(submission: Submission) -> str:
    """The 再委託先名称 key of the submitter's own rows ("" for the contractor)."""
    return (submission.subcontractor or "") if _is_sub(submission) else ""


# ---------------------------------------------------------------- the forms


def form1(submission: Submission, records: Records, settings: Settings) -> dict[str, Any]:
    """様式第1号 消去・廃棄（返還）証明書: the 廃棄 rows of the submitter."""
    ctx = common(submission, records, settings)
    rows = []
    for d in records.disposals_of(submission.contract_id, _own(submission)):
        d = _cleaned(d)
        rows.append(
            DisposalRow(
                d.item,
                d.kind,
                d.medium,
                d.quantity,
                d.method,
                d.detail,
                d.done_on,
                d.done_by,
                d.witness,
                "返還" in d.method,
                "消去" in d.method,
                "廃棄" in d.method,
            )
        )
    sub = ctx["subcontractor"]
    my_number = sub.my_number if ctx["is_subcontractor"] and sub else ctx["contract"].my_number
    ctx.update(disposals=rows, my_number=my_number)
    return ctx


def _staff(submission: Submission, records: Records) -> tuple[StaffMember, ...]:
    return tuple(_cleaned(s) for s in records.staff_of(submission.contract_id, _own(submission)))


def form2(submission: Submission, records: Records, settings: Settings) -> dict[str, Any]:
    """様式第2号 従事者体制届出書: officer and deputy, work place, subcontracting, staff."""
    ctx = common(submission, records, settings)
    contract: Contract = ctx["contract"]
    sub = ctx["subcontractor"]
    if ctx["is_subcontractor"]:
        officers = [
            OfficerRow("情報セキュリティ対策責任者", Person(sub.officer_name if sub else "")),
            OfficerRow("代行者", Person("")),
        ]
        names: list[str] = []
    else:
        officers = [
            OfficerRow("情報セキュリティ対策責任者", contract.officer),
            OfficerRow("代行者", contract.deputy),
        ]
        names = [clean(s.name) for s in records.subcontractors_of(contract.contract_id)]
    staff = [
        StaffRow(i, s.name, s.affiliation, s.role, s.handles_important, s.handles_my_number)
        for i, s in enumerate(_staff(submission, records), 1)
    ]
    ctx.update(
        new_filing=True,
        officers=officers,
        workplace=contract.workplace,
        subcontracting=bool(names) or contract.subcontracting,
        subcontractor_names=names,
        staff=staff,
    )
    return ctx


def form3(
    submission: Submission,
    records: Records,
    settings: Settings,
    checklist: tuple[ChecklistItem, ...] | None = None,
) -> dict[str, Any]:
    """様式第3号 教育・研修実施報告書: sessions, topics (ticked by keyword), staff 受講済/未受講."""
    ctx = common(submission, records, settings)
    contract: Contract = ctx["contract"]
    trainings = [_cleaned(t) for t in records.trainings_of(contract.contract_id, _own(submission))]
    contents = "\n".join(t.content for t in trainings)
    topics = [
        TopicRow(k.no, k.text, k.section, any(w in contents for w in k.keywords))
        for k in (checklist if checklist is not None else load_checklist(3))
    ]
    start = work_start(contract, ctx["subcontractor"] if ctx["is_subcontractor"] else None)
    staff = []
    for i, s in enumerate(_staff(submission, records), 1):
        st = training_status(s, start)
        staff.append(
            TrainedRow(i, s.name, s.affiliation, s.trained_on, st.trained, st.label, st.reason)
        )
    ctx.update(
        trainings=trainings,
        topics=topics,
        staff=staff,
        untrained_count=sum(not s.trained for s in staff),
        system_development=contract.system_development,
    )
    return ctx


def report(
    submission: Submission,
    records: Records,
    settings: Settings,
    checklist: tuple[ChecklistItem, ...] | None = None,
) -> dict[str, Any]:
    """様式第4号 / 第5号: the variant, its report period and the checklist with answers."""
    ctx = common(submission, records, settings)
    contract: Contract = ctx["contract"]
    mark = submission.timing.mark
    answers: dict[str, Answer] = {}
    for a in records.answers_of(contract.contract_id, _own(submission)):
        if a.form != submission.form or a.timing is not submission.timing:
            continue
        if submission.timing is Timing.FISCAL_YEAR and a.fiscal_year != submission.fiscal_year:
            continue
        answers[str(a.item_no).strip()] = a
    sub = ctx["subcontractor"] if ctx["is_subcontractor"] else None
    props = {
        "system_development": contract.system_development,
        # Form 1 is due only from a submitter who stores important information (§4, §5).
        "stores_important": sub.stores_important if sub is not None else contract.stores_important,
    }
    items = []
    for k in checklist if checklist is not None else load_checklist(submission.form):
        if mark not in k.timings:
            continue
        found = answers.get(k.no)
        answer = normalize_answer(found.answer) if found else ""
        if not answer and k.na_unless and not props.get(k.na_unless, True):
            answer = "該当なし"
        items.append(ItemRow(k.no, k.text, k.section, answer, clean(found.note) if found else ""))
    ctx.update(
        timing=submission.timing,
        timing_mark=mark,
        report_period=report_period(submission, contract, ctx["subcontractor"]),
        items=items,
    )
    return ctx


def form6(submission: Submission, records: Records, settings: Settings) -> dict[str, Any]:
    """様式第6号 再委託承認申請書: the subcontractor, its work, period, information, attachments."""
    ctx = common(submission, records, settings)
    contract: Contract = ctx["contract"]
    sub: Subcontractor = ctx["subcontractor"]
    start, end = period_of(contract, sub, submission.date)
    attachments = [
        AttachmentRow("再委託先の委託業務従事者体制届出書（様式第2号）", True),
        AttachmentRow(
            "再委託先の教育・研修実施報告書（様式第3号）",
            sub.handles_important or contract.system_development,
        ),
        AttachmentRow(
            "再委託先の重要情報の保護に関する報告書（様式第4号-①）", sub.handles_important
        ),
        AttachmentRow("再委託先の特定個人情報の保護に関する報告書（様式第5号-①）", sub.my_number),
    ]
    ctx.update(sub_period=format_period(start, end), attachments=attachments)
    return ctx


def form7(submission: Submission, records: Records, settings: Settings) -> dict[str, Any]:
    """様式第7号 再委託承認通知書 (from the city): number, dates, sender, conditions."""
    contract = _cleaned(records.contract(submission.contract_id))
    sub = _subcontractor(records, submission)
    assert sub is not None, "form 7 names its subcontractor"
    start, end = period_of(contract, sub, submission.date)
    return {
        "form_no": 7,
        "form_label": submission.label,
        "form_title": FORM_TITLES[7],
        "contract": contract,
        "subcontractor": sub,
        "footer_id": contract.contract_id,
        "approval_no": sub.approval_no,
        "approved": sub.approved or submission.date,
        "applied": sub.applied,
        "sender": settings.city_sender,
        "seal_omitted": settings.seal_omitted,
        "conditions": [clean(c) for c in settings.approval_conditions],
        "sub_period": format_period(start, end),
    }


def cover(cover: Cover, settings: Settings) -> dict[str, Any]:
    """The 送付書 of a bundle."""
    contract = _cleaned(cover.contract)
    return {
        "form_label": "送付書",
        "footer_id": contract.contract_id,
        "contract": contract,
        "date": cover.date,
        "timing_label": f"{cover.timing.mark}{cover.timing.japanese}",
        # The April 1 of ``fiscal_year`` starts a year; a ② report covers the one before it.
        "fiscal_year_label": f"{format_wareki_year(cover.fiscal_year - 1)}分"
        if cover.fiscal_year
        else "",
        "submitter_label": clean(cover.submitter_label),
        "entries": [
            EntryRow(i, e.label, e.title, "" if e.first_page is None else str(e.first_page))
            for i, e in enumerate(cover.entries, 1)
        ],
        "problems": [_problem_row(p) for p in cover.problems],
    }


def _problem_row(problem: Problem) -> ProblemRow:
    """Where, and the message without the reader's own ``シート!セル: `` prefix (no doubling)."""
    return ProblemRow(problem.where, clean(problem.detail))


Builder = Callable[[Submission, Records, Settings], dict[str, Any]]

BUILDERS: dict[int, Builder] = {
    1: form1,
    2: form2,
    3: form3,
    4: report,
    5: report,
    6: form6,
    7: form7,
}
