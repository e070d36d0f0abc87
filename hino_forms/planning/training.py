"""Training before the work (rules §7), shared by the rules, the consistency checks and form 3.

§7: the 情報セキュリティ対策責任者 trains every person involved *before the
work*; training that covered the city's measures within one year before the
work counts. So a 研修受講日 that is missing, more than one year before the
person's 従事開始日 (blank = the party's start), or after it counts as 未受講.

Form 3 reports the sessions held on or before the party's start (later ones
train people who join later) and ticks only the topics their 実施項目 state:
nothing is inferred from the free text (SPEC §3, FORMS.md).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from hino_forms.dates import format_wareki
from hino_forms.models import Party, StaffMember, Training

ALL_TOPICS = "全項目"
_RANGE = re.compile(r"^(\d+)(?:-(\d+))?$")
_DASHES = str.maketrans({c: "-" for c in "‐‑‒–—―−ー〜~～"})
_COMMAS = str.maketrans({c: "," for c in "、・;；"})


@dataclass(frozen=True)
class TrainingStatus:
    """受講済 or 未受講, with the reason (Japanese) when 未受講."""

    trained: bool
    reason: str = ""

    @property
    def label(self) -> str:
        """受講済 / 未受講, as form 3 prints it."""
        return "受講済" if self.trained else "未受講"


def one_year_before(day: date) -> date:
    """The same day one year earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def training_status(member: StaffMember, start: date) -> TrainingStatus:
    """受講済 when 研修受講日 lies within one year before ``start`` (inclusive), else 未受講 and why.

    ``start`` is the day the member's work starts: their 従事開始日, blank = their party's
    start (models.Party.joined).
    """
    trained_on = member.trained_on
    if trained_on is None:
        return TrainingStatus(False, "研修受講日が空欄です")
    if trained_on < one_year_before(start):
        return TrainingStatus(
            False,
            f"研修受講日（{format_wareki(trained_on)}）が従事開始日（{format_wareki(start)}）の1年より前です",
        )
    if trained_on > start:
        return TrainingStatus(
            False,
            f"研修受講日（{format_wareki(trained_on)}）が従事開始日（{format_wareki(start)}）より後です",
        )
    return TrainingStatus(True)


def parse_topics(text: str, count: int) -> frozenset[int] | None:
    """実施項目 → the topic numbers it states (1…``count``); "" → none; None if unreadable or out of range.

    Accepts ``1-16``, ``1,2,4-6``, ``全項目``, with full-width digits, 〜 or ー for the dash and
    、 for the comma.
    """
    key = unicodedata.normalize("NFKC", text).strip()
    if not key:
        return frozenset()
    if key in (ALL_TOPICS, "全て", "すべて"):
        return frozenset(range(1, count + 1))
    numbers: set[int] = set()
    for part in key.translate(_DASHES).translate(_COMMAS).replace(" ", "").split(","):
        m = _RANGE.match(part)
        if not m:
            return None
        low, high = int(m[1]), int(m[2] or m[1])
        if not 1 <= low <= high <= count:
            return None
        numbers.update(range(low, high + 1))
    return frozenset(numbers)


def reported_sessions(party: Party, sessions: Iterable[Training]) -> list[Training]:
    """The sessions form 3 reports: dated on or before the party's start, in date order."""
    return sorted(
        (t for t in sessions if t.held_on is not None and t.held_on <= party.start),
        key=lambda t: (t.held_on or date.min, t.row),
    )


def training_report_date(party: Party, sessions: Iterable[Training]) -> date:
    """Form 3's date: the later of the ① date and the latest reported session (SPEC §4)."""
    held = [t.held_on for t in reported_sessions(party, sessions) if t.held_on is not None]
    return max([party.first, *held])


def covered_topics(sessions: Iterable[Training], count: int) -> frozenset[int]:
    """The topics the sessions' 実施項目 state together (unreadable ones state none)."""
    out: frozenset[int] = frozenset()
    for t in sessions:
        out |= parse_topics(t.topics, count) or frozenset()
    return out
