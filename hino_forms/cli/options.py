"""Options `plan` and `generate` share: the selection (--contract, --timing, --from, --to)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from hino_forms.dates import DateFormatError, parse_date
from hino_forms.errors import BadOption
from hino_forms.models import Timing
from hino_forms.planning.selection import Selection

ContractOption = Annotated[
    list[str] | None, typer.Option("--contract", help="この契約番号だけ（複数指定可）")
]
TimingOption = Annotated[
    Timing | None, typer.Option("--timing", help="この提出時期だけ", case_sensitive=False)
]
FromOption = Annotated[
    str | None,
    typer.Option("--from", help="この日以降に提出するもの（例 2026-04-01、令和8年4月1日）"),
]
ToOption = Annotated[str | None, typer.Option("--to", help="この日以前に提出するもの")]


def parse_option_date(value: str | None, option: str) -> date | None:
    """An option's date in any form SPEC §3 accepts; a bad one is BadOption (exit 2)."""
    if value is None:
        return None
    try:
        return parse_date(value)
    except DateFormatError as err:
        raise BadOption(f"{option} の日付が読めません: {err}") from None


def selection(
    contract: list[str] | None, timing: Timing | None, date_from: str | None, date_to: str | None
) -> Selection:
    """The Selection the four options describe."""
    return Selection(
        contracts=tuple(contract or ()),
        timing=timing,
        date_from=parse_option_date(date_from, "--from"),
        date_to=parse_option_date(date_to, "--to"),
    )
