"""The package as a user installs it: a wheel in a fresh venv, run from another folder, makes every form.

The wheel is built from a copy of the files a wheel is made of (pyproject.toml,
README.md, hino_forms/) with ``pip wheel --no-build-isolation`` — offline, nothing
downloaded. The test venv has no pip and cannot see the source: the wheel is
installed into it by this venv's pip (``pip --python``), and the dependencies are
borrowed from this venv through a ``.pth`` line naming its site-packages (a
plain path line: the editable install's finder there is not run). Only
``hino_forms`` itself comes from the wheel, and the test checks that it does.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from collections import Counter
from pathlib import Path

import pytest
from docx import Document

from hino_forms.models import Status, Submission
from hino_forms.planning.rules import plan
from hino_forms.workbook.reader import read_workbook
from tests.conftest import ROOT, SAMPLE, soffice_available

pytestmark = pytest.mark.slow


def _run(
    *command: object, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(c) for c in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with the wheel installed; returns its bin/ (Scripts/ on Windows) folder."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(
        ROOT / "hino_forms", source / "hino_forms", ignore=shutil.ignore_patterns("__pycache__")
    )
    dist = tmp / "dist"
    built = _run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
        "-q", "-w", dist, source, cwd=tmp,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    wheel = next(dist.glob("hino_forms-*.whl"))

    target = tmp / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    scripts = target / ("Scripts" if sys.platform == "win32" else "bin")
    python = exe(scripts, "python")
    site = Path(
        _run(
            python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=tmp
        ).stdout.strip()
    )
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "hino_forms_test_dependencies.pth").write_text("\n".join(sorted(ours)) + "\n")
    install = _run(
        sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
        "-q", wheel, cwd=tmp,
    )  # fmt: skip
    assert install.returncode == 0, install.stderr
    return scripts


def clean_env() -> dict[str, str]:
    """This environment without PYTHONPATH & co., which could let the source in."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}


def exe(scripts: Path, name: str) -> Path:
    return scripts / (f"{name}.exe" if sys.platform == "win32" else name)


def test_the_installed_package_is_the_wheel_not_the_source(installed, tmp_path):
    probe = _run(
        exe(installed, "python"),
        "-c",
        "import hino_forms, hino_forms.resources as r; print(hino_forms.__file__);"
        "print(r.template('form1.docx')); print(r.checklist('form4_items.json')); print(r.fontconfig())",
        cwd=tmp_path,
        env=clean_env(),
    )
    assert probe.returncode == 0, probe.stderr
    venv_root = installed.parent.resolve()
    for line in probe.stdout.splitlines():
        assert Path(line).resolve().is_relative_to(venv_root), line
        assert not Path(line).resolve().is_relative_to(ROOT.resolve()), line


def covering_contracts(ready: list[Submission]) -> list[str]:
    """Few contracts of the sample whose forms include all seven (greedy, fewest documents)."""
    forms: dict[str, set[int]] = {}
    for s in ready:
        forms.setdefault(s.contract_id, set()).add(int(s.form))
    size = Counter(s.contract_id for s in ready)
    chosen: list[str] = []
    missing = set(range(1, 8))
    while missing:
        best = max(forms, key=lambda c: (len(forms[c] & missing), -size[c]))
        chosen.append(best)
        missing -= forms[best]
    return chosen


def test_generate_from_another_folder_makes_every_form(installed, tmp_path):
    """All seven forms, their covers and bundles, PDF too where LibreOffice exists.

    A few contracts that together need all seven forms keep the LibreOffice part short;
    tests/test_generate.py runs the whole sample from the checkout.
    """
    records = read_workbook(SAMPLE)
    ready = [s for s in plan(records) if s.status is Status.READY]
    contracts = covering_contracts(ready)
    expected = [s for s in ready if s.contract_id in contracts]
    elsewhere = tmp_path / "desk"
    elsewhere.mkdir()
    shutil.copy2(SAMPLE, elsewhere / "契約一覧.xlsx")
    pdf = soffice_available()
    result = _run(
        exe(installed, "hino-forms"), "generate", "契約一覧.xlsx", "--out", "出力",
        *(a for c in contracts for a in ("--contract", c)),
        "--pdf" if pdf else "--no-pdf", cwd=elsewhere, env=clean_env(),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr

    out = elsewhere / "出力"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    forms = [f for f in manifest["files"] if f["kind"] == "form"]
    docx = [f for f in forms if f["path"].endswith(".docx")]
    assert sorted((f["contract_id"], f["form"]) for f in docx) == sorted(
        (s.contract_id, int(s.form)) for s in expected
    )
    assert {f["form"] for f in docx} == {1, 2, 3, 4, 5, 6, 7}
    bundles = [f["path"] for f in manifest["files"] if f["kind"] == "bundle"]
    assert any(p.endswith(".docx") for p in bundles)
    if pdf:
        assert len([f for f in forms if f["path"].endswith(".pdf")]) == len(expected)
        assert any(p.endswith(".pdf") for p in bundles)
    for entry in docx:
        body = "\n".join(p.text for p in Document(out / entry["path"]).paragraphs)
        work_name = next(
            c.work_name for c in records.contracts if c.contract_id == entry["contract_id"]
        )
        assert work_name in body
        assert "{{" not in body and "{%" not in body
