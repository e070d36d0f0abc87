"""Safe file and folder names, and where each output goes (SPEC §5's layout).

Names come from workbook text (contract ids, company names), so they are made
safe here and nowhere else: no path separators, no ``..``, no characters
Windows forbids, no reserved device names, bounded length — and a name that
had to change carries a short hash of the original so two ids never collide.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

from hino_forms.models import Submission, Timing

MAX_NAME_BYTES = (
    120  # well under the 255-byte limit of common file systems, leaving room for suffixes
)
_FORBIDDEN = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_DOTS = re.compile(r"\.{2,}")
_RESERVED = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)}


def safe_name(text: str, *, max_bytes: int = MAX_NAME_BYTES) -> str:
    """A single path component made from ``text``; unchanged when it is already safe."""
    original = text
    name = unicodedata.normalize("NFC", text).strip()
    name = _FORBIDDEN.sub("_", name)
    name = _DOTS.sub("_", name)
    name = name.strip(" .")
    if not name or name.split(".")[0].upper() in _RESERVED:
        name = f"_{name}"
    if name != original or len(name.encode()) > max_bytes:
        digest = hashlib.sha1(original.encode()).hexdigest()[:6]
        name = f"{_truncate(name, max_bytes - 7)}_{digest}"
    return name


def _truncate(text: str, max_bytes: int) -> str:
    encoded = text.encode()[:max_bytes]
    return encoded.decode(errors="ignore")


def inside(root: Path, path: Path) -> Path:
    """``path`` if it lies inside ``root``; raises ValueError otherwise (the last guard)."""
    resolved = path.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise ValueError(f"出力先フォルダの外には書き込みません: {path}")
    return path


def timing_folder(submission: Submission) -> str:
    """①契約締結時_2025-03-25, ②年度切替時_2026, 随時_2026-06-01, ③契約終了時_2027-03-31."""
    label = submission.filing.label
    if submission.timing is Timing.FISCAL_YEAR and submission.fiscal_year is not None:
        return f"{label}_{submission.fiscal_year}"
    return f"{label}_{submission.date.isoformat()}" if submission.date else label
