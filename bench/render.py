"""Render speed: the prepared-template path against a plain DocxTemplate render per document.

    .venv/bin/python bench/render.py [N]

Renders every ready submission of data/sample.xlsx N times (default 5) both ways and
prints milliseconds per document.
"""

from __future__ import annotations

import io
import sys
import time
from pathlib import Path

from docxtpl import DocxTemplate

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hino_forms.forms.render import Renderer, make_environment, template_name  # noqa: E402
from hino_forms.planning.rules import plan  # noqa: E402
from hino_forms.workbook.reader import read_workbook  # noqa: E402


def main(rounds: int = 5) -> None:
    records = read_workbook(ROOT / "data" / "sample.xlsx")
    ready = [s for s in plan(records) if s.status.value == "ready"]
    renderer = Renderer()
    t0 = time.perf_counter()
    for s in ready:  # first use prepares each template
        renderer.render_bytes(s, records)
    prepare = time.perf_counter() - t0
    t0 = time.perf_counter()
    for _ in range(rounds):
        for s in ready:
            renderer.render_bytes(s, records)
    fast = (time.perf_counter() - t0) / (rounds * len(ready))
    env = make_environment()
    t0 = time.perf_counter()
    for _ in range(rounds):
        for s in ready:
            tpl = DocxTemplate(str(renderer.template_path(template_name(s.form))))
            tpl.render(renderer.context(s, records), env, autoescape=True)
            tpl.save(io.BytesIO())
    plain = (time.perf_counter() - t0) / (rounds * len(ready))
    print(f"documents: {len(ready)} × {rounds}")
    print(f"first pass (prepares 7 templates): {prepare * 1000:.0f} ms")
    print(f"prepared template: {fast * 1000:.2f} ms/document")
    print(f"plain DocxTemplate: {plain * 1000:.2f} ms/document ({plain / fast:.1f}× slower)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
