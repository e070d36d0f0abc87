"""What each template sees: one context builder per form, and the cover sheet's.

Every builder takes ``(submission, records, env)`` (``FormEnv``: the city's
settings and checklists; the cover: ``(cover, settings)``) and returns a plain
dict. The variables below are all a template may use; ``templates check`` flags
anything else.

Common to forms 1–6 (``COMMON``):
    form_no (int), form_label (様式第4号-②), form_title, date (date|None: the date line),
    addressee (（宛先） text), contract (models.Contract), contract_period
    (令和7年4月1日から令和8年3月31日まで; 契約終了日, with （令和7年12月31日解除） once the
    form's date reaches the 解除日), is_subcontractor (bool: a subcontractor submits
    through the contractor), subcontractor (models.Subcontractor|None), sub_period (the
    subcontractor's 再委託期間, "" for the contractor), submitter
    (SubmitterView: address, name, representative, person, contact), footer_id.
Form 1: disposals (DisposalRow…: a 随時 form the rows of its day, the ③ form the rest),
    my_number (bool), witnessed (bool: every My Number 消去/廃棄 row names its city witness).
Form 2: new_filing (bool), changes (list[str]: what changed, for 変更), officers (OfficerRow:
    role, person), workplace, subcontracting (bool), subcontractor_names (list[str]),
    staff (StaffRow…: the people in place on the form's reference day).
Form 3: trainings (models.Training…: held on or before the party's start), topics
    (TopicRow…: ticked only where 実施項目 states them), staff (TrainedRow…),
    untrained_count (int), system_development (bool).
Forms 4, 5: timing (models.Timing), timing_mark (①②③), report_period, items (ItemRow…).
Form 6: sub_period, attachments (AttachmentRow…).
Form 7 (from the city): form_no, form_label, form_title, contract, subcontractor, footer_id,
    approval_no, approved, applied (date|None), sender, seal_omitted (bool),
    conditions (list[str]), sub_period.
Cover: form_label and form_title (送付書), footer_id, contract, date (送付日), addressee (list[str]: 宛先 lines),
    sender_heading, sender (SenderRow: label, value: 送付者 with 担当者 and 連絡先; the city for
    form 7), preamble, subject (件名: 契約番号・業務名), timing_label (①契約締結時, 随時,
    ②年度切替時（令和7年度分）), submitter_label, entries (EntryRow: no, label, title, page,
    pages), total_pages (str, "" if unknown), separate (SeparateRow: subcontractor, entries (EntryRow…), total: 別綴り).

Text from the workbook is printed literally: the Jinja environment escapes it and
nothing here compiles it; characters XML cannot hold are dropped (``clean``).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

from hino_forms.dates import (
    fiscal_year_of,
    fiscal_year_span,
    format_period,
    format_wareki,
    format_wareki_year,
)
from hino_forms.forms.adjust import checklist_for
from hino_forms.forms.checklists import ChecklistItem, not_applicable
from hino_forms.forms.cover import Cover, CoverEntry, SeparateBundle
from hino_forms.models import (
    Answer,
    Contract,
    Form,
    ItemAdjustment,
    Party,
    Person,
    Records,
    StaffMember,
    Subcontractor,
    Submission,
    Submitter,
    Timing,
)
from hino_forms.planning.rules import mid_contract_disposal_days, party_forms
from hino_forms.planning.training import covered_topics, reported_sessions, training_status

DEFAULT_CONDITIONS = (
    "再委託先は、日野市「外部委託における情報セキュリティ遵守事項」を遵守すること。",
    "受託者は、再委託先に本契約に基づく一切の義務を遵守させるとともに、再委託先に対して"
    "全ての監督責任を負うこと（遵守事項12(2)）。",
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


@dataclass(frozen=True)
class FormEnv:
    """What every builder may use besides the records: the settings and the checklists."""

    settings: Settings = Settings()
    checklist_dir: Path | None = None  # checklist files here win over the shipped ones

    def checklist(
        self, form: Form, mark: str, adjustments: Sequence[ItemAdjustment] = ()
    ) -> tuple[ChecklistItem, ...]:
        """The items of form 3, 4 or 5 printed at ``mark`` after the contract's 項目調整, numbered 1…N."""
        return checklist_for(form, mark, adjustments, self.checklist_dir)


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
    pages: str  # the form's own page count: its footers count 1 / N, so the cover does too


@dataclass(frozen=True)
class SenderRow:
    label: str  # 所在地, 商号又は名称 … ("" for the city's name line)
    value: str


@dataclass(frozen=True)
class SeparateRow:
    subcontractor: str
    entries: list[EntryRow]
    total: str  # pages of the bundle's forms together; "" if unknown


# ---------------------------------------------------------------- helpers

_Record = TypeVar("_Record", bound="DataclassInstance")
_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: str) -> str:
    """Drop characters an XML document cannot hold (Excel text may carry them)."""
    return _XML_BAD.sub("", text)


def _cleaned(record: _Record) -> _Record:
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


def _by_subcontractor(submission: Submission) -> bool:
    return submission.submitter is Submitter.SUBCONTRACTOR


def contract_period(contract: Contract, on: date | None) -> str:
    """契約期間: 契約開始日 to 契約終了日, and the 解除日 once the form's date reaches it."""
    text = format_period(contract.start, contract.end)
    if contract.terminated is not None and contract.end_as_of(on) == contract.terminated:
        text += f"（{format_wareki(contract.terminated)}解除）"
    return text


def report_period(submission: Submission, party: Party) -> str:
    """報告対象期間: ① the period; ② the fiscal year that ended (clipped); ③ the whole period."""
    start, end = party.period_as_of(submission.date)
    if submission.timing is Timing.FISCAL_YEAR:
        fy = submission.fiscal_year or fiscal_year_of(submission.date or start)
        first, last = fiscal_year_span(fy - 1)
        return format_period(max(first, start), min(last, end))
    return format_period(start, end)


def submitter_view(contract: Contract, subcontractor: Subcontractor | None) -> SubmitterView:
    """The submitter block of a form and the 送付者 of a cover: the contractor, or ``subcontractor``."""
    if subcontractor is not None:  # its own officer is its person in charge (再委託先責任者連絡先)
        return SubmitterView(
            subcontractor.address,
            subcontractor.name,
            subcontractor.representative,
            subcontractor.officer_name,
            subcontractor.officer_contact,
        )
    in_charge = contract.in_charge  # 担当者氏名 / 担当者連絡先, blank = the 責任者
    return SubmitterView(
        contract.contractor_address,
        contract.contractor_name,
        contract.representative,
        in_charge.name,
        in_charge.contact,
    )


def common(submission: Submission, records: Records, env: FormEnv) -> dict[str, Any]:
    """The variables every form 1–6 has (see the module docstring)."""
    contract = _cleaned(records.contract(submission.contract_id))
    subcontractor = _subcontractor(records, submission)
    submitter = submitter_view(contract, subcontractor if _by_subcontractor(submission) else None)
    return {
        "form_no": int(submission.form),
        "form_label": submission.label,
        "form_title": submission.form.title,
        "date": submission.date,
        "addressee": env.settings.addressee,
        "contract": contract,
        "contract_period": contract_period(contract, submission.date),
        "is_subcontractor": _by_subcontractor(submission),
        "subcontractor": subcontractor,
        "sub_period": format_period(*Party(contract, subcontractor).period_as_of(submission.date))
        if _by_subcontractor(submission) and subcontractor is not None
        else "",
        "submitter": submitter,
        "footer_id": contract.contract_id,
    }


def _party(ctx: dict[str, Any]) -> Party:
    """The party whose form it is (forms 1–5), or whose subcontract (forms 6, 7), from ``common``."""
    return Party(ctx["contract"], ctx["subcontractor"])


def _own(submission: Submission) -> str:
    """The 再委託先名称 key of the submitter's own rows ("" for the contractor)."""
    return (submission.subcontractor or "") if _by_subcontractor(submission) else ""


# ---------------------------------------------------------------- the forms


def form1(submission: Submission, records: Records, env: FormEnv) -> dict[str, Any]:
    """様式第1号 消去・廃棄（返還）証明書: a 随時 form the rows of its day, the ③ form the rest."""
    ctx = common(submission, records, env)
    party = _party(ctx)
    own = records.disposals_of(submission.contract_id, _own(submission))
    if submission.timing is Timing.CHANGE:
        chosen = [d for d in own if d.done_on == submission.date]
    else:  # §10(3): what the 随時 certificates already listed is not certified twice
        earlier = set(mid_contract_disposal_days(party, own))
        chosen = [d for d in own if d.done_on not in earlier]
    rows = []
    for d in map(_cleaned, chosen):
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
    witnessed_rows = [r for r in rows if r.erased or r.destroyed]
    ctx.update(
        disposals=rows,
        my_number=party.my_number,
        # The page claims the city witnessed only what the data says it did (FORMS.md).
        witnessed=party.my_number
        and bool(witnessed_rows)
        and all(r.witness.strip() for r in witnessed_rows),
    )
    return ctx


def _staff(submission: Submission, records: Records) -> tuple[StaffMember, ...]:
    return tuple(_cleaned(s) for s in records.staff_of(submission.contract_id, _own(submission)))


def form2(submission: Submission, records: Records, env: FormEnv) -> dict[str, Any]:
    """様式第2号 従事者体制届出書: officer and deputy, work place, subcontracting, staff in place."""
    ctx = common(submission, records, env)
    contract: Contract = ctx["contract"]
    subcontractor = ctx["subcontractor"]
    party = _party(ctx)
    new_filing = submission.timing is not Timing.CHANGE
    # SPEC §4: the 新規 lists who is in place on R; a 変更 on d, who is on the later of d and R.
    day = submission.date or party.first
    on = party.reference_day if new_filing else max(day, party.reference_day)
    names: list[str] = []
    if ctx["is_subcontractor"] and subcontractor is not None:
        officers = [
            OfficerRow("情報セキュリティ対策責任者", subcontractor.officer),
            OfficerRow("代行者", subcontractor.deputy),
        ]
    else:
        officers = [
            OfficerRow("情報セキュリティ対策責任者", contract.officer),
            OfficerRow("代行者", contract.deputy),
        ]
        for s in records.subcontractors_of(contract.contract_id):
            other = Party(contract, s)
            applied_by = contract.concluded if new_filing else day
            if other.first <= applied_by and other.end >= on:
                names.append(clean(s.name))
    staff = [
        StaffRow(i, s.name, s.affiliation, s.role, s.handles_important, s.handles_my_number)
        for i, s in enumerate((m for m in _staff(submission, records) if party.in_place(m, on)), 1)
    ]
    ctx.update(
        new_filing=new_filing,
        changes=[] if new_filing else changes_on(party, records, day),
        officers=officers,
        workplace=contract.workplace,
        subcontracting=bool(names),
        subcontractor_names=names,
        staff=staff,
    )
    return ctx


def changes_on(party: Party, records: Records, day: date) -> list[str]:
    """What a form 2 変更 dated ``day`` reports: who joined or left, which subcontractor came or went."""
    lines = []
    for m in records.staff_of(party.contract.contract_id, party.key):
        m = _cleaned(m)
        role = f"{m.role}、" if m.role else ""
        if m.joined == day:
            lines.append(f"従事者の追加：{m.name}（{role}{format_wareki(day)}から従事）")
        if m.left is not None and m.left + timedelta(days=1) == day:
            lines.append(f"従事者の離任：{m.name}（{role}{format_wareki(m.left)}まで従事）")
    if party.subcontractor is None:
        for s in records.subcontractors_of(party.contract.contract_id):
            other = Party(party.contract, s)
            name = clean(s.name)
            if other.first == day and day > party.contract.concluded:
                lines.append(f"再委託先の追加：{name}（{format_wareki(day)}申請）")
            if other.end + timedelta(days=1) == day:
                lines.append(f"再委託先の終了：{name}（{format_wareki(other.end)}まで）")
    return lines


def form3(submission: Submission, records: Records, env: FormEnv) -> dict[str, Any]:
    """様式第3号 教育・研修実施報告書: sessions up to the start, stated topics, staff 受講済/未受講."""
    ctx = common(submission, records, env)
    contract: Contract = ctx["contract"]
    party = _party(ctx)
    sessions = records.trainings_of(contract.contract_id, _own(submission))
    trainings = [_cleaned(t) for t in reported_sessions(party, sessions)]
    # 実施項目 numbers the topics as this contract's form 3 does, after any 項目調整 (SPEC §3).
    checklist = env.checklist(
        Form.TRAINING_REPORT, Timing.CONCLUSION.mark, records.adjustments_of(contract.contract_id)
    )
    covered = covered_topics(trainings, len(checklist))
    topics = [TopicRow(k.no, k.text, k.section, int(k.no) in covered) for k in checklist]
    staff = []
    shown = (m for m in _staff(submission, records) if party.in_place(m, party.reference_day))
    for i, s in enumerate(shown, 1):
        st = training_status(s, party.joined(s))
        # A 受講日 after the form's date is not yet a fact on that day: blank, 未受講.
        known = (
            s.trained_on
            if s.trained_on and s.trained_on <= (submission.date or s.trained_on)
            else None
        )
        staff.append(TrainedRow(i, s.name, s.affiliation, known, st.trained, st.label, st.reason))
    ctx.update(
        trainings=trainings,
        topics=topics,
        staff=staff,
        untrained_count=sum(not s.trained for s in staff),
        system_development=contract.system_development,
    )
    return ctx


def report(submission: Submission, records: Records, env: FormEnv) -> dict[str, Any]:
    """様式第4号 / 第5号: the variant, its report period and the checklist with answers."""
    ctx = common(submission, records, env)
    contract: Contract = ctx["contract"]
    mark = submission.timing.mark
    answers: dict[str, Answer] = {}
    for a in records.answers_of(contract.contract_id, _own(submission)):
        if a.form != submission.form or a.timing is not submission.timing:
            continue
        if submission.timing is Timing.FISCAL_YEAR and a.fiscal_year != submission.fiscal_year:
            continue
        answers[str(a.item_no).strip()] = a
    party = _party(ctx)
    items = []
    for k in env.checklist(submission.form, mark, records.adjustments_of(contract.contract_id)):
        found = answers.get(k.no)
        answer = normalize_answer(found.answer) if found else ""
        if not answer and not_applicable(k, party):
            answer = "該当なし"
        items.append(ItemRow(k.no, k.text, k.section, answer, clean(found.note) if found else ""))
    ctx.update(
        timing=submission.timing,
        timing_mark=mark,
        report_period=report_period(submission, party),
        items=items,
    )
    return ctx


def form6(submission: Submission, records: Records, env: FormEnv) -> dict[str, Any]:
    """様式第6号 再委託承認申請書: the subcontractor, its work, period, information, attachments."""
    ctx = common(submission, records, env)
    start, end = _party(ctx).period_as_of(submission.date)
    # Exactly the subcontractor's forms the plan has on this application's date (FORMS.md).
    attachments = [
        AttachmentRow(f"再委託先の{s.title}（{s.label}）", True)
        for s in party_forms(_party(ctx), records)
        if s.timing is Timing.CONCLUSION and s.date == submission.date
    ]
    ctx.update(sub_period=format_period(start, end), attachments=attachments)
    return ctx


def form7(submission: Submission, records: Records, env: FormEnv) -> dict[str, Any]:
    """様式第7号 再委託承認通知書 (from the city): number, dates, sender, conditions."""
    contract = _cleaned(records.contract(submission.contract_id))
    subcontractor = _subcontractor(records, submission)
    assert subcontractor is not None, "form 7 names its subcontractor"
    start, end = Party(contract, subcontractor).period_as_of(submission.date)
    settings = env.settings
    return {
        "form_no": 7,
        "form_label": submission.label,
        "form_title": Form.SUBCONTRACT_APPROVAL.title,
        "contract": contract,
        "subcontractor": subcontractor,
        "footer_id": contract.contract_id,
        "approval_no": subcontractor.approval_no,
        "approved": subcontractor.approved or submission.date,
        "applied": subcontractor.applied,
        "sender": settings.city_sender,
        "seal_omitted": settings.seal_omitted,
        "conditions": [clean(c) for c in settings.approval_conditions],
        "sub_period": format_period(start, end),
    }


def cover(cover: Cover, settings: Settings) -> dict[str, Any]:
    """The 送付書 of a bundle: to whom, from whom, what and when, the forms with their pages."""
    contract = _cleaned(cover.contract)
    subcontractor = _cleaned(cover.subcontractor) if cover.subcontractor is not None else None
    timing_label = cover.timing_label or cover.timing.label
    if cover.fiscal_year:  # the April 1 of ``fiscal_year`` starts a year; ② covers the one before
        timing_label += f"（{format_wareki_year(cover.fiscal_year - 1)}分）"
    if cover.submitter is Submitter.CITY:  # form 7: the city sends the approval to the contractor
        addressee = [
            contract.contractor_address,
            contract.contractor_name,
            f"{contract.representative}　様",
        ]
        sender = [
            SenderRow("", settings.city_sender),
            SenderRow("担当課", contract.department),
        ]
        preamble = "下記のとおり、再委託承認通知書を送付します。"
    else:
        addressee = [f"（宛先）{settings.addressee}", f"（担当課）{contract.department}"]
        own = subcontractor if cover.submitter is Submitter.SUBCONTRACTOR else None
        view = submitter_view(contract, own)
        sender = [
            SenderRow("所在地", view.address),
            SenderRow("商号又は名称", view.name),
            SenderRow("代表者職氏名", view.representative),
            SenderRow("担当者", view.person),
            SenderRow("連絡先", view.contact),
        ]
        preamble = (
            f"下記のとおり、再委託先の書類を受託者（{contract.contractor_name}）を経由して送付します。"
            if own is not None
            else "下記のとおり書類を送付します。"
        )
    return {
        "form_label": "送付書",
        "form_title": "送付書",
        "footer_id": contract.contract_id,
        "contract": contract,
        "date": cover.date,
        "addressee": [clean(line) for line in addressee],
        "sender_heading": "（送付者）",
        "sender": [SenderRow(r.label, clean(r.value)) for r in sender],
        "preamble": preamble,
        "subject": f"{contract.contract_id}　{contract.work_name}",
        "timing_label": timing_label,
        "submitter_label": clean(cover.submitter_label),
        "entries": _entry_rows(cover.entries),
        "total_pages": _total(cover.entries),
        "separate": [_separate_row(b) for b in cover.separate],
    }


def _entry_rows(entries: Sequence[CoverEntry]) -> list[EntryRow]:
    return [
        EntryRow(
            i,
            e.label,
            e.title,
            "" if e.first_page is None else str(e.first_page),
            "" if e.pages is None else str(e.pages),
        )
        for i, e in enumerate(entries, 1)
    ]


def _separate_row(bundle: SeparateBundle) -> SeparateRow:
    """A subcontractor's bundle as its own small table: its forms, their pages and the total."""
    return SeparateRow(
        clean(bundle.subcontractor), _entry_rows(bundle.entries), _total(bundle.entries)
    )


def _total(entries: Sequence[CoverEntry]) -> str:
    """The pages of all ``entries`` together ("" when a count is unknown, e.g. without PDFs)."""
    pages = [e.pages for e in entries]
    return str(sum(p for p in pages if p)) if pages and None not in pages else ""


Builder = Callable[[Submission, Records, FormEnv], dict[str, Any]]

BUILDERS: dict[Form, Builder] = {
    Form.DISPOSAL_CERTIFICATE: form1,
    Form.STAFF_STRUCTURE: form2,
    Form.TRAINING_REPORT: form3,
    Form.IMPORTANT_INFO_REPORT: report,
    Form.MY_NUMBER_REPORT: report,
    Form.SUBCONTRACT_APPLICATION: form6,
    Form.SUBCONTRACT_APPROVAL: form7,
}
