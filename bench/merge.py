"""Benchmark: `merge` of forty returned workbooks into a ledger in one run (target ≤ 10 s).

    .venv/bin/python bench/merge.py [RETURNED] [LEDGER_CONTRACTS]

The ledger comes from bench/synth.py (re-saved by openpyxl's normal mode, as
Excel lays out its files). For each of RETURNED contracts (default 40) it makes
the pre-filled workbook `init --from` makes, then fills it as a contractor
would: one staff member added, one changed, every listed report item
answered. Only the merge (reading the ledger and every returned workbook,
comparing, writing the merged ledger and the --report workbook) is timed; the
figures are printed, never asserted.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import load_workbook

from hino_forms.contractor.blank import write_input_workbook
from hino_forms.contractor.changes import write_report
from hino_forms.contractor.merge import Action, merge_workbooks
from hino_forms.contractor.prefill import load_prefill
from hino_forms.xlsx import put

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth import write_synthetic_workbook

TARGET_SECONDS = 10.0


def main() -> None:
    returned_count = int(sys.argv[1]) if len(sys.argv) > 1 else 40
    contracts = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    work = Path(tempfile.mkdtemp(prefix="bench-merge-"))
    raw = write_synthetic_workbook(work / "synth.xlsx", contracts)
    ledger = work / "台帳.xlsx"
    load_workbook(raw).save(ledger)
    ids = [
        str(r[0].value)
        for r in load_workbook(ledger, read_only=True)["契約"].iter_rows(min_row=2)
        if r[0].value
    ][:returned_count]

    t = time.perf_counter()
    returned = [_returned(ledger, cid, work) for cid in ids]
    made = time.perf_counter() - t
    print(
        f"ledger: {contracts} contracts ({ledger.stat().st_size / 1e6:.1f} MB); "
        f"{len(returned)} pre-filled and filled in {made:.1f} s ({made / len(returned):.2f} s each)"
    )

    t0 = time.perf_counter()
    report = merge_workbooks(ledger, returned, out=work / "統合.xlsx")
    t1 = time.perf_counter()
    write_report(report, work / "統合結果.xlsx")
    t2 = time.perf_counter()

    counts = {a: sum(c.action is a for c in report.changes) for a in Action}
    print(
        f"merged contracts: {len({m.contract_id for m in report.merged})}  "
        f"conflicts: {len(report.conflicts)}  rows: "
        + "  ".join(f"{a.label} {n}" for a, n in counts.items())
    )
    print(f"merge          {t1 - t0:6.2f} s")
    print(f"--report       {t2 - t1:6.2f} s")
    total = t2 - t0
    print(
        f"merge + report {total:6.2f} s   (target ≤ {TARGET_SECONDS:.0f} s: "
        f"{'met' if total <= TARGET_SECONDS else 'MISSED'})"
    )


def _returned(ledger: Path, cid: str, work: Path) -> Path:
    """The workbook `init --from` makes for ``cid``, filled in as a contractor would."""
    path = write_input_workbook(
        work / f"返送_{cid}.xlsx", prefill=load_prefill(ledger, cid, today=date(2026, 3, 1))
    )
    wb = load_workbook(path)
    staff = wb["従事者"]
    headers = [c.value for c in staff[1]]
    last = max((c.row for c in staff["A"] if c.value is not None), default=1)
    if last > 1:
        put(staff, 2, headers.index("所属") + 1, "異動後の部署")
    for i, h in enumerate(("氏名", "重要情報取扱", "研修受講日"), start=0):
        put(staff, last + 1, headers.index(h) + 1, ("新規 追加", "有", date(2025, 3, 1))[i])
    report = wb["報告"]
    headers = [c.value for c in report[1]]
    for r in range(2, report.max_row + 1):
        if report.cell(r, headers.index("項目番号") + 1).value is not None:
            put(report, r, headers.index("回答") + 1, "はい")
    wb.save(path)
    return path


if __name__ == "__main__":
    main()
