"""Templates, checklists and fonts.conf: found inside the package, overridden by the city's folder, or one clear error."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from docx import Document

import hino_forms
from hino_forms import resources
from hino_forms.errors import ResourceMissing
from hino_forms.forms.render import Renderer
from tests.test_render import VARIANTS, fixed_records, text

PACKAGE = Path(hino_forms.__file__).parent


def test_shipped_files_are_package_data():
    assert resources.template("form3.docx") == PACKAGE / "resources" / "templates" / "form3.docx"
    assert resources.checklist("form4_items.json").parent == PACKAGE / "resources" / "checklists"
    assert resources.fontconfig().read_text(encoding="utf-8").count("IPAexMincho") >= 1
    for name in resources.TEMPLATE_NAMES:
        assert resources.template(name).is_file()


def test_city_folder_overrides_a_template_and_a_checklist(tmp_path):
    doc = Document(resources.template("form4.docx"))
    doc.add_paragraph("市独自の欄")
    doc.save(tmp_path / "form4.docx")
    data = json.loads(resources.checklist("form4_items.json").read_text(encoding="utf-8"))
    data["items"] = [{"no": "1", "section": "§99", "text": "市が加えた確認項目（架空）"}]
    (tmp_path / "form4_items.json").write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    assert resources.template("form4.docx", tmp_path) == tmp_path / "form4.docx"
    assert resources.template("form2.docx", tmp_path) == resources.template("form2.docx")

    body = text(
        Document(io.BytesIO(Renderer(tmp_path).render_bytes(VARIANTS["form4_2"], fixed_records())))
    )
    assert "市独自の欄" in body and "市が加えた確認項目（架空）" in body
    assert "退職後も有効な守秘義務" not in body  # the shipped item 2 is gone with its file


@pytest.fixture
def broken_install(tmp_path, monkeypatch):
    """The package as a broken install leaves it: resources/ without form3.docx."""
    shipped = PACKAGE / "resources"
    copy = tmp_path / "resources"
    for sub in ("templates", "checklists"):
        (copy / sub).mkdir(parents=True)
        for f in (shipped / sub).iterdir():
            if f.name != "form3.docx":
                (copy / sub / f.name).write_bytes(f.read_bytes())
    monkeypatch.setattr(resources, "files", lambda _package: copy)
    monkeypatch.setattr(resources, "_found", {})
    return copy


def test_a_missing_resource_is_named(broken_install):
    with pytest.raises(ResourceMissing) as missing:
        Renderer()
    assert str(missing.value).startswith("同梱ファイル「templates/form3.docx」が見つかりません")
    with pytest.raises(ResourceMissing, match="fonts.conf"):
        resources.fontconfig()


def test_generate_with_a_missing_template_exits_2_before_writing(
    broken_install, cli, sample_path, tmp_path
):
    out = tmp_path / "out"
    result = cli("generate", sample_path, "--out", out, "--no-pdf")
    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and "同梱ファイル「templates/form3.docx」が見つかりません" in lines[0]
    assert not out.exists() or not any(out.iterdir())


def test_a_city_copy_stands_in_for_a_missing_shipped_template(broken_install, tmp_path):
    city = tmp_path / "city"
    city.mkdir()
    (city / "form3.docx").write_bytes(
        (PACKAGE / "resources" / "templates" / "form3.docx").read_bytes()
    )
    assert Renderer(city).render_bytes(VARIANTS["form3"], fixed_records())
