"""Whether a staff member counts as trained before the work (rules §7), shared by the reader and form 3.

§7: the 情報セキュリティ対策責任者 trains every person involved *before the
work*; training that covered the city's measures within one year before the
contract start counts. So a 研修受講日 that is missing, more than one year
before the start, or after the start counts as 未受講.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hino_forms.dates import format_wareki
from hino_forms.models import StaffMember


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

    ``start`` is the day the member's work starts: their party's start (models.Party.start).
    """
    trained_on = member.trained_on
    if trained_on is None:
        return TrainingStatus(False, "研修受講日が空欄です")
    if trained_on < one_year_before(start):
        return TrainingStatus(
            False,
            f"研修受講日（{format_wareki(trained_on)}）が開始日（{format_wareki(start)}）の1年より前です",
        )
    if trained_on > start:
        return TrainingStatus(
            False,
            f"研修受講日（{format_wareki(trained_on)}）が開始日（{format_wareki(start)}）より後です",
        )
    return TrainingStatus(True)
