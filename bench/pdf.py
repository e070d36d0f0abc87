"""Benchmark: PDF conversion with the worker pool against one soffice per file, and each
contract's forms joined into one document (what ``generate`` does) against the pool alone.

    .venv/bin/python bench/pdf.py [--forms 200] [--single 20] [--jobs N]

Renders ``--forms`` real forms of fictional contracts (the shipped templates),
converts them all with ``hino_forms.output.pdf.convert``, then again with
``joined.JoinedConverter`` around the same pool, and a slice of ``--single``
of them with one plain ``soffice --convert-to pdf`` per file (a warm profile,
one after another: the naive way), and prints forms per second for each.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hino_forms.forms.render import Renderer, form_filename  # noqa: E402
from hino_forms.models import Records, Status  # noqa: E402
from hino_forms.output import pdf  # noqa: E402
from hino_forms.output.joined import JoinedConverter  # noqa: E402
from hino_forms.planning import rules  # noqa: E402
from tests import builders  # noqa: E402


def fictional_records(contracts: int) -> Records:
    """Contracts that owe every form: My Number, stored important data, a subcontractor, staff."""
    cs, subs, staff, trainings, disposals = [], [], [], [], []
    for n in range(1, contracts + 1):
        cid = f"B-{n:03d}"
        cs.append(
            builders.contract(
                contract_id=cid,
                work_name=f"架空業務システム運用保守業務委託（その{n}）",
                confidentiality=3,
                my_number=True,
                stores_important=True,
                subcontracting=True,
                start=date(2025, 4, 1),
                end=date(2027, 3, 31),
            )
        )
        subs.append(builders.subcontractor(contract_id=cid))
        for k in range(8):
            staff.append(builders.staff(contract_id=cid, name=f"架空 従事者{k + 1}", row=k + 2))
        trainings.append(builders.training(contract_id=cid))
        disposals.append(builders.disposal(contract_id=cid))
    return Records(
        contracts=tuple(cs),
        subcontractors=tuple(subs),
        staff=tuple(staff),
        trainings=tuple(trainings),
        disposals=tuple(disposals),
    )


def render_forms(folder: Path, count: int) -> list[Path]:
    """``count`` rendered forms, one folder per contract and timing, as generate lays them out."""
    renderer = Renderer()
    records = fictional_records(contracts=max(1, count // 10 + 1))
    ready = [s for s in rules.plan(records) if s.status is Status.READY]
    paths = []
    for i in range(count):
        sub = ready[i % len(ready)]
        # More forms asked for than planned: the same again, in folders of their own.
        cid = sub.contract_id + (f"-{i // len(ready)}" if i >= len(ready) else "")
        out = folder / cid / f"{sub.timing.value}_{sub.date}" / f"{form_filename(sub)}.docx"
        out.parent.mkdir(parents=True, exist_ok=True)
        renderer.render(sub, records, out)
        paths.append(out)
    return paths


def pool(paths: list[Path], jobs: int | None) -> float:
    """Seconds for the worker pool to convert ``paths``."""
    start = time.perf_counter()
    result = pdf.convert(paths, jobs=jobs)
    elapsed = time.perf_counter() - start
    if result.failed:
        raise SystemExit(f"pool: {len(result.failed)} failed: {next(iter(result.failed.values()))}")
    return elapsed


def joined(paths: list[Path], jobs: int | None, soffice: Path) -> float:
    """Seconds to convert ``paths`` with each contract's forms joined, over the same pool."""
    for path in paths:
        path.with_suffix(".pdf").unlink(missing_ok=True)
    start = time.perf_counter()
    result = JoinedConverter(pdf.SofficePool(soffice, jobs=jobs))(paths)
    elapsed = time.perf_counter() - start
    if result.failed or len(result.converted) != len(paths):
        raise SystemExit(f"joined: {len(result.failed)} failed")
    return elapsed


def one_per_file(paths: list[Path], soffice: Path, scratch: Path) -> float:
    """Seconds for one soffice start per file, in turn, sharing one warm profile."""
    profile = f"-env:UserInstallation={(scratch / 'profile').as_uri()}"

    def run(docx: Path) -> None:
        command = [str(soffice), profile, "--headless", "--norestore", "--convert-to", "pdf"]
        subprocess.run(
            [*command, "--outdir", str(scratch / "out"), str(docx)],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    scratch.mkdir(parents=True, exist_ok=True)
    run(paths[0])  # create the profile outside the clock, in the baseline's favour
    start = time.perf_counter()
    for docx in paths:
        run(docx)
    elapsed = time.perf_counter() - start
    made = len(list((scratch / "out").glob("*.pdf")))
    if made != len({p.stem for p in paths}):
        raise SystemExit(f"one-per-file: {made} PDFs for {len(paths)} files")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--forms", type=int, default=200)
    parser.add_argument("--single", type=int, default=20)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()
    soffice = pdf.find_soffice()
    if soffice is None:
        raise SystemExit("LibreOffice (soffice) not found")
    with tempfile.TemporaryDirectory(prefix="hino-bench-pdf-") as tmp:
        work = Path(tmp)
        t0 = time.perf_counter()
        paths = render_forms(work / "forms", args.forms)
        rendered = time.perf_counter() - t0
        singles = paths[: args.single]
        single_dir = work / "single"
        # Half the baseline before the pool and half after: this machine's
        # load drifts (others run tests), and both figures should share it.
        half = len(singles) // 2
        single_s = one_per_file(singles[:half], soffice, single_dir / "a")
        pool_s = pool(paths, args.jobs)
        pages = sum(pdf.page_count(p.with_suffix(".pdf")) for p in paths)
        joined_s = joined(paths, args.jobs, soffice)
        single_s += one_per_file(singles[half:], soffice, single_dir / "b")
        shutil.rmtree(work / "forms", ignore_errors=True)
    jobs = args.jobs or os.cpu_count() or 1
    pool_rate = len(paths) / pool_s
    single_rate = len(singles) / single_s
    print(f"rendered {len(paths)} forms in {rendered:.1f} s ({pages} PDF pages after conversion)")
    print(
        f"worker pool ({jobs} workers): {len(paths)} forms in {pool_s:.1f} s = {pool_rate:.1f} forms/s"
    )
    print(
        f"one soffice per file:        {len(singles)} forms in {single_s:.1f} s = {single_rate:.2f} forms/s"
        f" (≈ {len(paths) / single_rate:.0f} s for {len(paths)})"
    )
    print(f"speed-up: {pool_rate / single_rate:.1f}x")
    joined_rate = len(paths) / joined_s
    print(
        f"joined per contract:         {len(paths)} forms in {joined_s:.1f} s = {joined_rate:.1f} forms/s"
        f" ({joined_rate / pool_rate:.2f}x the pool alone)"
    )
    if hasattr(os, "getloadavg"):
        print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
