"""Options `plan` and `generate` share: the selection (--contract, --timing, --from, --to)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from hino_forms.dates import DateFormatError, parse_date
from hino_forms.errors import BadOption, UnknownTiming
from hino_forms.models import Timing
from hino_forms.planning.selection import Selection

ContractOption = Annotated[
    list[str] | None, typer.Option("--contract", help="この契約番号だけ（複数指定可）")
]
TimingOption = Annotated[
    str | None,
    typer.Option(
        "--timing",
        metavar="TIMING",
        help="この提出時期だけ: conclusion・fiscal_year・end・change"
        "（契約締結時・年度切替時・契約終了時・随時、①②③ も可）",
    ),
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


def parse_timing(value: str | None) -> Timing | None:
    """--timing by its code (end), its Japanese name (契約終了時, ③契約終了時) or mark (③) (SPEC §6)."""
    if value is None:
        return None
    timing = Timing.from_text(value)
    if timing is None:
        raise UnknownTiming(value, [t.value for t in Timing], [t.japanese for t in Timing])
    return timing


def selection(
    contract: list[str] | None, timing: str | None, date_from: str | None, date_to: str | None
) -> Selection:
    """The Selection the four options describe."""
    return Selection(
        contracts=tuple(contract or ()),
        timing=parse_timing(timing),
        date_from=parse_option_date(date_from, "--from"),
        date_to=parse_option_date(date_to, "--to"),
    )
