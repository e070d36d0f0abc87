"""Benchmark: read_workbook + rules.plan on 10,000 fictional contracts (target ≤ 5 s in all).

    .venv/bin/python bench/plan.py [CONTRACTS]

The workbook comes from bench/synth.py (the sample's mix: classes 1–3, My
Number, storage, subcontractors with a pending approval, three-year and
terminated contracts) and is written once to bench/out/; the figures are
printed, never asserted.

openpyxl's write-only mode (used by synth.py to write fast) stores every text
cell inline and writes no sheet dimension, both slow to read back; a workbook
saved by Excel uses shared strings and has its dimension. So the figures are
given twice: for the file as synthesised, and for a copy re-saved by openpyxl's
normal mode, which is laid out as Excel lays out its files.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import load_workbook

from hino_forms.planning import export as schedule
from hino_forms.planning import rules
from hino_forms.workbook.reader import read_workbook

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import write_synthetic_workbook

TARGET_SECONDS = 5.0


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    out = Path(__file__).resolve().parent / "out"
    out.mkdir(exist_ok=True)
    path = out / f"plan-{n}.xlsx"
    excel_like = out / f"plan-{n}-excel-like.xlsx"
    if not path.exists():
        t = time.perf_counter()
        write_synthetic_workbook(path, n)
        print(
            f"workbook written: {path.name} ({path.stat().st_size / 1e6:.1f} MB) "
            f"in {time.perf_counter() - t:.2f} s"
        )
    if not excel_like.exists():
        load_workbook(path).save(excel_like)
    for label, p in (
        ("as synthesised (inline strings)", path),
        ("Excel-like (shared strings)", excel_like),
    ):
        print(f"--- {label}: {p.name}")
        measure(p)


def measure(path: Path) -> None:
    """Time read_workbook, rules.plan and to_json on one workbook and print the figures."""
    t0 = time.perf_counter()
    records = read_workbook(path)
    t1 = time.perf_counter()
    submissions = rules.plan(records)
    t2 = time.perf_counter()
    text = schedule.to_json(submissions, records.problems)
    t3 = time.perf_counter()

    forms = Counter(s.form for s in submissions)
    print(
        f"contracts: {len(records.contracts)}  (left out with errors: "
        f"{len(records.failed_contract_ids)})  subcontractors: {len(records.subcontractors)}"
    )
    print(
        f"submissions: {len(submissions)}  by form: "
        + "  ".join(f"{f}:{forms[f]}" for f in sorted(forms))
        + f"  problems: {len(records.problems)}"
    )
    print(f"read_workbook  {t1 - t0:6.2f} s")
    print(f"rules.plan     {t2 - t1:6.2f} s")
    print(
        f"read + plan    {t2 - t0:6.2f} s   (target ≤ {TARGET_SECONDS:.0f} s: "
        f"{'met' if t2 - t0 <= TARGET_SECONDS else 'MISSED'})"
    )
    print(f"to_json        {t3 - t2:6.2f} s   ({len(text) / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
