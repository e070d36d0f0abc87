"""What a plan or a run covers: the filters `plan` and `generate` share (SPEC §6).

One place decides which submissions and which problems a selection shows, so
`generate --contract X --timing end` makes exactly the rows `plan` lists with
the same options.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hino_forms.errors import DatesReversed, UnknownContracts
from hino_forms.models import Problem, Records, Submission, Timing
from hino_forms.planning import rules


@dataclass(frozen=True, kw_only=True)
class Selection:
    """Contracts (empty = all), one timing, and a date window; None = no restriction."""

    contracts: tuple[str, ...] = ()
    timing: Timing | None = None
    date_from: date | None = None
    date_to: date | None = None

    def __post_init__(self) -> None:
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise DatesReversed(self.date_from, self.date_to)

    def check(self, records: Records) -> None:
        """Every chosen contract must exist in the workbook (a typo is not an empty run)."""
        listed = [c.contract_id for c in records.contracts]
        known = set(listed) | records.failed_contract_ids
        unknown = [c for c in self.contracts if c not in known]
        if unknown:
            raise UnknownContracts(unknown, listed)

    def submissions(self, records: Records) -> list[Submission]:
        """The planned submissions this selection covers, in SPEC §4's order."""
        return rules.select(
            rules.plan(records),
            contracts=self.contracts or None,
            timing=self.timing,
            date_from=self.date_from,
            date_to=self.date_to,
        )

    def problems(self, records: Records) -> list[Problem]:
        """The problems of the chosen contracts, and those tied to no contract (a sheet's header)."""
        if not self.contracts:
            return list(records.problems)
        return [p for p in records.problems if p.contract_id in (None, *self.contracts)]

    def failed(self, records: Records) -> list[str]:
        """The chosen contracts left out for their errors."""
        return sorted(
            c for c in records.failed_contract_ids if not self.contracts or c in self.contracts
        )
