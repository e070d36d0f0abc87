"""Which known id a mistyped one was meant to be (SPEC §3, the nearest-id hint).

Two steps: ids equal to it after NFKC and case folding; if none, ids one
edit (insert, delete or replace one character) away after that folding.
The first step that finds any gives the answer.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable


def fold(text: str) -> str:
    """NFKC and case folding: full-width ＲＯ７ and r7 are R7."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


def nearest(typed: str, known: Iterable[str]) -> list[str]:
    """The known ids ``typed`` most likely meant (several when equally near; [] when none is)."""
    candidates = [k for k in dict.fromkeys(known) if k and k != typed]
    folded = fold(typed)
    same = [k for k in candidates if fold(k) == folded]
    if same:
        return same
    return [k for k in candidates if _one_edit(fold(k), folded)]


def _one_edit(a: str, b: str) -> bool:
    """True when one insert, delete or replace turns ``a`` into ``b``."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        return a[i + 1 :] == b[i + 1 :]
    return a[i:] == b[i + 1 :]
