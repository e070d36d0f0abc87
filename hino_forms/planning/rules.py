"""Which form is due, at which timing, on which date (SPEC §4): records → submissions.

Pure: no I/O and no clock; the same records always give the same list.

Decisions the SPEC leaves open, taken here and tested in tests/test_rules.py:

* A subcontractor's period (models.Party) is 再委託開始日–再委託終了日, defaulting
  to the contract's start and *end*; its end is never later than the contract's
  *end* (解除日 if given). A subcontract cannot outlive the contract it is part
  of, so when the contract is terminated early the subcontractor's ② reports
  stop and its ③ report (and form 1) fall due on the 解除日 too — even when the
  contract was terminated before the subcontracted work began (its ① forms
  were filed with the application, so the duties it took on are closed out).
* A subcontractor's form 3 follows the contract's システム開発: §11 requires
  the training report before development work starts, and §12(2) makes the
  contractor hold the subcontractor to every duty of the contract. The 再委託
  sheet has no システム開発 column, so the contract's flag is the only evidence.
* Form 1 falls due at *end*, or on the latest 実施日 of that submitter's own
  廃棄 rows if later (disposal deferred by agreement with the city, §4・§5 ※);
  a disposal day before the month of *end* gets its own 随時 form 1 (§10(3):
  a certificate at each return, erasure or destruction).
* Form 2 is filed again (変更, timing ``change``) on each day the party's people
  change; form 3 is dated no earlier than the training it reports (§7).
* Only the contract's own 契約締結日 is ①: a ① form dated otherwise (a later
  subcontractor, a form 3 dated by its training, form 7) is ``occasional``,
  filed 随時 while its timing stays ``conclusion`` (SPEC §4, §5).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

from hino_forms.dates import april_firsts, format_wareki
from hino_forms.models import (
    Disposal,
    Form,
    Party,
    Records,
    Status,
    Submission,
    Submitter,
    Timing,
)
from hino_forms.planning.training import training_report_date

# The reasons each submission carries, citing the rules section (Japanese, shown to users).
R_FORM1 = "§4・§5 重要情報を受託者が保存・保管する外部委託契約（契約終了時に廃棄・返還の証明書）"
R_FORM1_DEFERRED = "§4・§5 ※ 廃棄を契約終了後に行う取り決め（最終の実施日 {day}）"
R_FORM1_MY_NUMBER = "§10(3) 特定個人情報の廃棄には市が立ち会う"
R_FORM2 = "§6(2) すべての外部委託契約（業務の実施前に提出）"
R_FORM2_CHANGE = "§6(2) 従事者・再委託先の変更（変更の届出、{day}）"
R_FORM1_CHANGE = "§10(3) 返還・消去・廃棄のつど証明書を提出（{day}実施分）"
R_FORM3_LATER = "§7 研修の実施後に報告（最終の研修 {day}）"
R_FORM3_IMPORTANT = "§7 重要情報を取り扱う外部委託契約（従事者への教育）"
R_FORM3_DEVELOPMENT = "§11 開発環境の報告（作業開始前に従事者の教育状況を提出）"
R_FORM4 = "§9 重要情報を取り扱う委託契約"
R_FORM5 = "§9 特定個人情報を取り扱う委託契約"
R_TIMING = {
    Timing.CONCLUSION: "§9① 契約締結時に提出",
    Timing.FISCAL_YEAR: "§9② 年度切り替わり時に提出（単年度契約は不要）",
    Timing.END: "§9③ 契約終了時に提出",
}
R_FORM6 = "§12(1) 再委託は受託業務の実施前に市へ申請する"
R_FORM7 = "§12(1) 市は再委託の承認通知書を送付する"
R_FORM7_PENDING = "承認日が未入力のため承認待ち（§12(1) 承認を受けるまで再委託はできない）"
R_FLOW = "§12 再委託先→受託者→市"
R_SUPERVISION = "§12(2) 再委託先にも本契約の一切の義務を遵守させる"


def plan(records: Records) -> list[Submission]:
    """Every submission due for the contracts without errors, sorted by Submission.sort_key."""
    failed = records.failed_contract_ids
    out: list[Submission] = []
    for c in records.contracts:
        if c.contract_id in failed:
            continue
        for party in records.parties_of(c.contract_id):
            if party.subcontractor is not None:
                out += _subcontract_forms(party)
            out += party_forms(party, records)
    return sorted(out, key=Submission.sort_key)


def party_forms(p: Party, records: Records) -> list[Submission]:
    """Forms 1–5 one party owes (SPEC §4's table), ① forms off 契約締結日 marked ``occasional``."""
    forms = _party_forms(p, records)
    return [_filed(s, p.contract.concluded) for s in forms]


def _filed(s: Submission, concluded: date) -> Submission:
    """Only the contract's own 契約締結日 is ①: any other ① date is filed 随時 (SPEC §5)."""
    if s.timing is Timing.CONCLUSION and s.date is not None and s.date != concluded:
        return replace(s, occasional=True)
    return s


def change_days(p: Party, records: Records) -> list[date]:
    """The days a form 2 変更 is due (SPEC §4 (a)–(d)): each day *d* ≤ *end* the people change."""
    r, end = p.reference_day, p.end
    days: set[date] = set()
    for m in records.staff_of(p.contract.contract_id, p.key):
        if m.joined is not None and m.joined > r:
            days.add(m.joined)
        if m.left is not None and m.left + timedelta(days=1) > r:
            days.add(m.left + timedelta(days=1))
    if p.subcontractor is None:
        for s in records.subcontractors_of(p.contract.contract_id):
            subcontractor_party = Party(p.contract, s)
            if subcontractor_party.first > p.contract.concluded:
                days.add(subcontractor_party.first)
            if subcontractor_party.end < end:
                days.add(subcontractor_party.end + timedelta(days=1))
    return sorted(d for d in days if d <= end)


def _party_forms(p: Party, records: Records) -> list[Submission]:
    out: list[Submission] = []
    cid = p.contract.contract_id
    # A subcontractor submits through the contractor, who answers for it (§12).
    flow = (R_FLOW, R_SUPERVISION) if p.subcontractor is not None else ()

    def add(
        form: Form, timing: Timing, day: date, reasons: Sequence[str], fy: int | None = None
    ) -> None:
        out.append(
            Submission(
                contract_id=p.contract.contract_id,
                form=form,
                timing=timing,
                date=day,
                fiscal_year=fy,
                submitter=p.submitter,
                subcontractor=p.key or None,
                reasons=(*reasons, *flow),
            )
        )

    add(Form.STAFF_STRUCTURE, Timing.CONCLUSION, p.first, [R_FORM2])
    for d in change_days(p, records):
        add(Form.STAFF_STRUCTURE, Timing.CHANGE, d, [R_FORM2_CHANGE.format(day=format_wareki(d))])
    training = [
        r
        for r, due in (
            (R_FORM3_IMPORTANT, p.handles_important),
            (R_FORM3_DEVELOPMENT, p.system_development),
        )
        if due
    ]
    if training:
        day = training_report_date(p, records.trainings_of(cid, p.key))
        if day > p.first:
            training.append(R_FORM3_LATER.format(day=format_wareki(day)))
        add(Form.TRAINING_REPORT, Timing.CONCLUSION, day, training)
    for form, required, reason in (
        (Form.IMPORTANT_INFO_REPORT, p.handles_important, R_FORM4),
        (Form.MY_NUMBER_REPORT, p.my_number, R_FORM5),
    ):
        if not required:
            continue
        add(form, Timing.CONCLUSION, p.first, [reason, R_TIMING[Timing.CONCLUSION]])
        # Nothing is reported for a year before the contract (the party) existed.
        for d in (d for d in april_firsts(p.start, p.end) if d > p.first):
            add(form, Timing.FISCAL_YEAR, d, [reason, R_TIMING[Timing.FISCAL_YEAR]], d.year)
        add(form, Timing.END, p.end, [reason, R_TIMING[Timing.END]])
    if p.handles_important and p.stores_important:
        disposals = records.disposals_of(cid, p.key)
        extra = (R_FORM1_MY_NUMBER,) if p.my_number else ()
        for d in mid_contract_disposal_days(p, disposals):
            add(
                Form.DISPOSAL_CERTIFICATE,
                Timing.CHANGE,
                d,
                [R_FORM1_CHANGE.format(day=format_wareki(d)), *extra],
            )
        day, reasons = p.end, [R_FORM1]
        latest = max((d.done_on for d in disposals if d.done_on is not None), default=None)
        if latest is not None and latest > p.end:
            day = latest
            reasons.append(R_FORM1_DEFERRED.format(day=format_wareki(latest)))
        add(Form.DISPOSAL_CERTIFICATE, Timing.END, day, [*reasons, *extra])
    return out


def mid_contract_disposal_days(p: Party, disposals: Sequence[Disposal]) -> list[date]:
    """The 実施日 before the month of *end*: each gets a 随時 form 1 listing that day's rows."""
    month = p.end.replace(day=1)
    return sorted({d.done_on for d in disposals if d.done_on is not None and d.done_on < month})


def _subcontract_forms(p: Party) -> list[Submission]:
    """Form 6 (the contractor applies) and form 7 (the city approves) for one 再委託 row."""
    c, s = p.contract, p.subcontractor
    assert s is not None, "a subcontractor's party"
    application = Submission(
        contract_id=c.contract_id,
        form=Form.SUBCONTRACT_APPLICATION,
        timing=Timing.CONCLUSION,
        date=p.first,
        submitter=Submitter.CONTRACTOR,
        subcontractor=s.name,
        reasons=(R_FORM6,),
    )
    approval = Submission(
        contract_id=c.contract_id,
        form=Form.SUBCONTRACT_APPROVAL,
        timing=Timing.CONCLUSION,
        date=s.approved,
        submitter=Submitter.CITY,
        subcontractor=s.name,
        status=Status.READY if s.approved else Status.PENDING,
        reasons=(R_FORM7,) if s.approved else (R_FORM7, R_FORM7_PENDING),
    )
    return [_filed(application, c.concluded), _filed(approval, c.concluded)]
