"""The checklists of forms 3, 4 and 5 (resources/checklists/*.json), loaded once per file.

A checklist file in the city's ``--templates`` folder replaces the shipped one of
the same name (hino_forms.resources does the lookup).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from hino_forms import resources
from hino_forms.models import Party

CHECKLIST_FILES = {3: "form3_topics.json", 4: "form4_items.json", 5: "form5_items.json"}


@dataclass(frozen=True)
class ChecklistItem:
    """One item of a checklist file (resources/checklists/*.json)."""

    no: str
    text: str
    section: str
    timings: tuple[str, ...] = ("①", "②", "③")
    na_unless: str = ""  # pre-tick 該当なし when the contract lacks this property
    only: str = ""  # form 3: the topic is required only where the contract has this property


def load_checklist(form: int, override_dir: Path | None = None) -> tuple[ChecklistItem, ...]:
    """The checklist of form 3, 4 or 5; a file of the same name in ``override_dir`` wins."""
    return _read(resources.checklist(CHECKLIST_FILES[form], override_dir))


@lru_cache(maxsize=16)
def _read(path: Path) -> tuple[ChecklistItem, ...]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        ChecklistItem(
            no=str(raw["no"]),
            text=raw["text"],
            section=raw.get("section", ""),
            timings=tuple(raw.get("timings", ("①", "②", "③"))),
            na_unless=raw.get("na_unless", ""),
            only=raw.get("only", ""),
        )
        for raw in data["items"]
    )


def not_applicable(item: ChecklistItem, party: Party) -> bool:
    """The item asks about what ``party`` lacks (its ``na_unless``): it prints 該当なし unanswered."""
    if not item.na_unless:
        return False
    has = {
        "system_development": party.system_development,
        # Form 1 is due only from a submitter who stores important information (§4, §5).
        "stores_important": party.stores_important,
        # A subcontractor has no approved subcontractors of its own to supervise (§12(2)).
        "subcontracting": party.subcontractor is None and party.contract.subcontracting,
    }
    return not has.get(item.na_unless, True)
