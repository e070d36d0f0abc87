"""Properties of rules.plan over random valid (fictional) contracts, and the 和暦 round trip."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from hino_forms.dates import format_wareki, parse_date
from hino_forms.forms.contexts import FormEnv, form1, form2, form3
from hino_forms.models import Contract, Party, Records, Submission, Submitter, Timing
from hino_forms.planning.rules import plan
from tests import builders as b

FIRST = date(2019, 5, 1)
LAST = date(2040, 12, 31)


def april_firsts_between(start: date, end: date) -> list[date]:
    """Counted by brute force, independently of dates.april_firsts: every April 1 in (start, end]."""
    days = (start + timedelta(n) for n in range(1, (end - start).days + 1))
    return [d for d in days if (d.month, d.day) == (4, 1)]


def between(lo: date, hi: date) -> st.SearchStrategy[date]:
    return st.dates(min_value=lo, max_value=max(lo, hi))


@st.composite
def contracts(draw: st.DrawFn, late_disposal: bool = False) -> Records:
    """A valid contract (what passes validation), its subcontractors and disposal records."""
    concluded = draw(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)))
    start = draw(between(concluded, concluded + timedelta(60)))
    end = draw(between(start, start + timedelta(365 * 5)))
    terminated = draw(st.none() | between(start, end))
    eff_end = terminated or end
    cls = draw(st.integers(1, 3))
    my_number = cls == 3 and draw(st.booleans())
    stores = cls >= 2 and draw(st.booleans())
    n_subs = draw(st.integers(0, 2))
    c = b.contract(
        concluded=concluded,
        start=start,
        end=end,
        terminated=terminated,
        confidentiality=cls,
        my_number=my_number,
        stores_important=stores,
        subcontracting=n_subs > 0,
        system_development=draw(st.booleans()),
    )
    subs = []
    for i in range(n_subs):
        s_start = draw(st.none() | between(start, end))
        s_end = draw(st.none() | between(s_start or start, end))
        latest_application = min(s_start or start, eff_end)
        applied = draw(st.none() | between(concluded, latest_application))
        approved = draw(st.none() | between(applied or concluded, latest_application))
        s_cls = draw(st.integers(1, cls))
        subs.append(
            b.subcontractor(
                name=f"架空下請{i}",
                start=s_start,
                end=s_end,
                applied=applied,
                approved=approved,
                confidentiality=s_cls,
                my_number=my_number and s_cls == 3 and draw(st.booleans()),
                stores_important=s_cls >= 2 and draw(st.booleans()),
                row=i + 2,
            )
        )
    owners = [""] + [s.name for s in subs]
    latest_disposal = eff_end + timedelta(365) if late_disposal else eff_end
    disposals = [
        b.disposal(
            subcontractor=draw(st.sampled_from(owners)),
            done_on=draw(st.none() | between(start, latest_disposal)),
            row=i + 2,
        )
        for i in range(draw(st.integers(0, 3)))
    ]
    # Staff who join and leave inside their party's period, and sessions before and after it.
    staff, trainings = [], []
    for i in range(draw(st.integers(0, 4))):
        owner = draw(st.sampled_from(owners))
        sub = next((x for x in subs if x.name == owner), None)
        party = Party(c, sub)
        joined = draw(st.none() | between(party.start, party.end))
        left = draw(st.none() | between(joined or party.start, party.end))
        staff.append(
            b.staff(
                subcontractor=owner, name=f"架空 従事者{i}", joined=joined, left=left, row=i + 2
            )
        )
    for i in range(draw(st.integers(0, 3))):
        held = draw(st.none() | between(concluded - timedelta(400), eff_end))
        topics = draw(st.sampled_from(["", "全項目", "1-3", "2,4-6", "99"]))
        trainings.append(
            b.training(
                subcontractor=draw(st.sampled_from(owners)), held_on=held, topics=topics, row=i + 2
            )
        )
    return Records(
        contracts=(c,),
        subcontractors=tuple(subs),
        disposals=tuple(disposals),
        staff=tuple(staff),
        trainings=tuple(trainings),
    )


def of(
    subs: list[Submission],
    form: int,
    who: Submitter,
    name: str | None = None,
    timing: Timing | None = None,
) -> list[Submission]:
    return [
        s
        for s in subs
        if s.form == form
        and s.submitter is who
        and s.subcontractor == name
        and (timing is None or s.timing is timing)
    ]


@settings(max_examples=300, deadline=None)
@given(contracts(late_disposal=True))
def test_form_2_exactly_once_at_conclusion_for_every_party(records: Records) -> None:
    c = records.contracts[0]
    subs = plan(records)
    (form2,) = of(subs, 2, Submitter.CONTRACTOR, timing=Timing.CONCLUSION)
    assert (form2.timing, form2.date) == (Timing.CONCLUSION, c.concluded)
    for s in records.subcontractors:
        (sub2,) = of(subs, 2, Submitter.SUBCONTRACTOR, s.name, Timing.CONCLUSION)
        assert (sub2.timing, sub2.date) == (Timing.CONCLUSION, s.applied or c.concluded)


@settings(max_examples=300, deadline=None)
@given(contracts(late_disposal=True))
def test_one_fiscal_year_report_per_april_first_in_the_period(records: Records) -> None:
    c = records.contracts[0]
    subs = plan(records)
    expected = april_firsts_between(c.start, c.effective_end)
    for form, due in ((4, c.confidentiality >= 2), (5, c.my_number)):
        got = of(subs, form, Submitter.CONTRACTOR, timing=Timing.FISCAL_YEAR)
        assert [(s.date, s.fiscal_year) for s in got] == (
            [(d, d.year) for d in expected] if due else []
        )
    for s in records.subcontractors:
        start, end = s.start or c.start, min(s.end or c.effective_end, c.effective_end)
        got = of(subs, 4, Submitter.SUBCONTRACTOR, s.name, Timing.FISCAL_YEAR)
        assert len(got) == (len(april_firsts_between(start, end)) if s.confidentiality >= 2 else 0)
    # fiscal_year is set exactly on ② rows
    assert all((s.fiscal_year is not None) == (s.timing is Timing.FISCAL_YEAR) for s in subs)


@settings(max_examples=300, deadline=None)
@given(contracts(late_disposal=False))
def test_no_date_before_conclusion_or_after_the_end(records: Records) -> None:
    """Without disposal deferred past the end, everything lies in [契約締結日, end]."""
    c = records.contracts[0]
    for s in plan(records):
        assert s.date is None or c.concluded <= s.date <= c.effective_end, s


@settings(max_examples=300, deadline=None)
@given(contracts(late_disposal=True))
def test_only_form_1_may_follow_the_end_and_then_on_the_last_disposal(records: Records) -> None:
    """Disposal deferred by agreement (§4・§5 ※): form 1 is due on the later of end and last 実施日."""
    c: Contract = records.contracts[0]
    subs = plan(records)
    for s in subs:
        if s.form != 1:
            assert s.date is None or c.concluded <= s.date <= c.effective_end, s
    for s in of(subs, 1, Submitter.CONTRACTOR, timing=Timing.END):
        done = [d.done_on for d in records.disposals_of(c.contract_id) if d.done_on]
        assert s.date == max([c.effective_end, *done])


def _party(records: Records, s: Submission) -> Party:
    return records.party(s.contract_id, s.subcontractor if s.form not in (6, 7) else None)


@settings(max_examples=200, deadline=None)
@given(contracts(late_disposal=True))
def test_every_form_2_lists_exactly_the_people_in_place_on_its_reference_day(
    records: Records,
) -> None:
    """SPEC v2 §4: 新規 on R (the later of start and ① date); 変更 on d, the later of d and R."""
    for s in plan(records):
        if s.form != 2:
            continue
        party = _party(records, s)
        assert s.date is not None
        r = max(party.start, party.first)
        on = r if s.timing is Timing.CONCLUSION else max(s.date, r)
        expected = [
            m.name
            for m in records.staff_of(s.contract_id, party.key)
            if (m.joined or party.start) <= on <= (m.left or party.end)
        ]
        ctx = form2(s, records, FormEnv())
        assert [row.name for row in ctx["staff"]] == expected, (s, on)
        assert ctx["new_filing"] is (s.timing is Timing.CONCLUSION)
        if s.timing is Timing.CHANGE:
            assert ctx["changes"], s  # a 変更 always says what changed


@settings(max_examples=200, deadline=None)
@given(contracts(late_disposal=True))
def test_no_form_is_dated_before_the_data_it_reports(records: Records) -> None:
    """Form 3 after its sessions, form 1 after its disposals, form 2 after the people it lists."""
    env = FormEnv()
    for s in plan(records):
        if s.form not in (1, 2, 3) or s.date is None:
            continue
        party = _party(records, s)
        if s.form == 3:
            held = [t.held_on for t in form3(s, records, env)["trainings"]]
            assert all(h is not None and h <= s.date for h in held), s
            assert all(h is not None and h <= party.start for h in held), s
        elif s.form == 1:
            rows = form1(s, records, env)["disposals"]
            assert all(r.done_on is None or r.done_on <= s.date for r in rows), s
            if s.timing is Timing.CHANGE:
                assert rows and all(r.done_on == s.date for r in rows), s
        else:
            members = {m.name: m for m in records.staff_of(s.contract_id, party.key)}
            for row in form2(s, records, env)["staff"]:
                assert (members[row.name].joined or party.start) <= max(s.date, party.start), s


def test_wareki_round_trip_for_every_day_of_reiwa_to_2040() -> None:
    day, n = FIRST, 0
    while day <= LAST:
        text = format_wareki(day)
        assert text.startswith("令和") and parse_date(text) == day, text
        day += timedelta(1)
        n += 1
    assert n == (LAST - FIRST).days + 1
    assert format_wareki(date(2019, 5, 1)) == "令和元年5月1日"
