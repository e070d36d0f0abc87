"""docxtpl's own test templates through the prepared path and through plain docxtpl: equal?

    .venv/bin/python bench/docxtpl_equivalence.py PATH_TO_DOCXTPL_CHECKOUT

A developer's check, not a test (the docxtpl repository need not be there in CI):
fetch https://github.com/elapouya/python-docx-template, then run this with the
path of its checkout. Each script in its ``tests/`` folder is run as it is (in a
temporary copy of that folder, with the installed docxtpl), with
``DocxTemplate.render`` watched: every render it makes is done again twice, by
plain docxtpl (load, render, save) and by ``PreparedTemplate``, and the two
packages are compared member by member, byte for byte. Prints one row per render:

    same       every member identical (the order of the members aside), or
               both raise the same exception (a template with a syntax error)
    refused    the prepared path refused it with its Japanese message (images,
               subdocuments, hyperlinks, media replacement: not plain data)
    DIFFERENT  members that differ — a bug in the prepared path
    error      the script itself failed with this docxtpl (named)

Exit status 1 if any render of plain data came out DIFFERENT.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import runpy
import shutil
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import Environment

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hino_forms.errors import TemplateUnsupported  # noqa: E402
from hino_forms.forms.prepared import PreparedTemplate, part_xml  # noqa: E402

# Scripts that render in a subprocess (docxtpl's command line): the render it makes.
SUBPROCESS_RENDERS = {
    "module_execute.py": ("templates/module_execute_tpl.docx", "templates/module_execute.json"),
}
_REPLACEMENTS = ("pics_to_replace", "crc_to_new_media", "crc_to_new_embedded", "zipname_to_replace")


@dataclass
class Render:
    """One ``DocxTemplate.render`` call a script made."""

    template: str
    context: dict[str, Any]
    env: Environment | None
    autoescape: bool
    replaces_media: bool  # replace_pic/replace_media/… were called before it


def watched_renders(script: Path) -> tuple[list[Render], str]:
    """Run ``script`` with DocxTemplate.render watched; (its renders, the error if it failed)."""
    renders: list[Render] = []
    original = DocxTemplate.render

    def render(
        self: DocxTemplate,
        context: dict[str, Any],
        jinja_env: Environment | None = None,
        autoescape: bool = False,
    ) -> None:
        replaces = any(getattr(self, name, None) for name in _REPLACEMENTS)
        renders.append(Render(str(self.template_file), context, jinja_env, autoescape, replaces))
        original(self, context, jinja_env, autoescape)

    DocxTemplate.render = render  # type: ignore[method-assign]
    error = ""
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            runpy.run_path(str(script), run_name="__main__")
    except BaseException as exc:  # noqa: BLE001 — a script of another project; report it
        error = f"{type(exc).__name__}: {exc}"
    finally:
        DocxTemplate.render = original  # type: ignore[method-assign]
    return renders, error


def plain(r: Render) -> bytes:
    """What docxtpl saves for this render."""
    tpl = DocxTemplate(r.template)
    tpl.render(r.context, r.env, r.autoescape)
    buf = io.BytesIO()
    tpl.save(buf)
    return buf.getvalue()


def prepared(r: Render) -> bytes:
    """What the prepared path makes for it, with the environment docxtpl would use."""
    env = r.env or Environment()
    if r.autoescape:
        env.autoescape = True  # as DocxTemplate.render does
    return PreparedTemplate(Path(r.template).read_bytes(), env, Path(r.template).name).render(
        r.context
    )


def compare(r: Render) -> tuple[str, str]:
    """(verdict, detail) for one render."""
    if r.replaces_media:
        return (
            "refused",
            "replace_media/replace_pic/replace_embedded: PreparedTemplate.replace_* refuse",
        )
    fast: bytes | Exception
    want: bytes | Exception
    try:
        fast = prepared(r)
    except TemplateUnsupported as exc:
        return "refused", str(exc)
    except Exception as exc:  # noqa: BLE001 — compared with what docxtpl raises
        fast = exc
    try:
        want = plain(r)
    except Exception as exc:  # noqa: BLE001
        want = exc
    if isinstance(fast, Exception) or isinstance(want, Exception):
        if type(fast) is type(want):
            return "same", f"both raise {type(want).__name__}: {want}"
        return "DIFFERENT", f"prepared: {fast!r:.60} / docxtpl: {want!r:.60}"
    a, b = part_xml(fast), part_xml(want)
    differing = sorted(set(a) ^ set(b)) + sorted(n for n in set(a) & set(b) if a[n] != b[n])
    if differing:
        return "DIFFERENT", ", ".join(differing)
    with zipfile.ZipFile(io.BytesIO(fast)) as z:
        z.testzip()
    return "same", f"{len(b)} members"


def main(checkout: Path) -> int:
    tests = checkout / "tests"
    if not (tests / "templates").is_dir():
        print(f"{checkout}: not a python-docx-template checkout (no tests/templates)")
        return 2
    rows: list[tuple[str, str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="docxtpl-tests-") as tmp:
        work = Path(tmp) / "tests"
        shutil.copytree(tests, work)
        (work / "output").mkdir(exist_ok=True)
        os.chdir(work)
        for script in sorted(work.glob("[A-Za-z]*.py")):
            if script.name == "runtests.py":
                continue
            if script.name in SUBPROCESS_RENDERS:
                template, data = SUBPROCESS_RENDERS[script.name]
                context = json.loads(Path(data).read_text(encoding="utf-8"))
                renders = [Render(template, context, None, False, False)]
                error = ""
            else:
                renders, error = watched_renders(script)
            if not renders:
                rows.append((script.name, "-", "no render" if not error else "error", error))
            for i, r in enumerate(renders, 1):
                verdict, detail = compare(r)
                rows.append((script.name, f"{i}", verdict, detail))
            if renders and error:
                rows.append((script.name, "-", "error", f"after its renders: {error}"))
    width = max(len(r[0]) for r in rows)
    for name, i, verdict, detail in rows:
        print(f"{name:<{width}}  {i:>2}  {verdict:<9}  {detail[:110]}")
    counts = {v: sum(r[2] == v for r in rows) for v in ("same", "refused", "DIFFERENT", "error")}
    print(", ".join(f"{v}: {n}" for v, n in counts.items()) + f" (of {len(rows)} rows)")
    return 1 if counts["DIFFERENT"] else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    sys.exit(main(Path(sys.argv[1]).resolve()))
