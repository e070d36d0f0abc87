"""The warm converter: two unoservers on two ports share the work, a dead one comes back, and
without any the soffice pool still converts."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from hino_forms.output.pipeline import Options, generate
from hino_forms.output.uno import Address, WarmConverter, uno_python
from hino_forms.planning.selection import Selection
from tests.conftest import SAMPLE

pytestmark = [
    pytest.mark.soffice,
    pytest.mark.skipif(uno_python() is None, reason="uno を使える Python がない（python3-uno）"),
]


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """R7-001's four ① forms as Word files (no PDF yet)."""
    out = tmp_path_factory.mktemp("forms") / "out"
    options = Options(
        input_path=SAMPLE,
        out=out,
        selection=Selection(contracts=("R7-001",), timing=None),
        pdf=False,
    )
    generate(options)
    found = sorted(out.glob("R7-001/①*/様式*.docx"))
    assert len(found) == 4
    return found


@pytest.fixture(scope="module")
def two() -> Iterator[WarmConverter]:
    converter = WarmConverter(local=2)
    converter.start()
    try:
        assert converter.wait_ready(), "two local unoservers did not answer"
        yield converter
    finally:
        converter.close()


def pdf_text(path: Path) -> str:
    return "".join(p.extract_text() for p in PdfReader(path).pages)


def test_two_servers_on_two_ports_share_the_forms(two: WarmConverter, forms: list[Path]) -> None:
    ports = {a.port for a in two.addresses}
    assert len(ports) == 2
    result = two(forms)
    assert set(result.converted) == set(forms) and not result.failed
    assert "委託業務従事者体制届出書" in pdf_text(result.converted[forms[0]])
    assert {a for a in two.served if two.served[a]} == set(two.addresses)  # both did some


def test_a_server_that_dies_is_restarted_and_nothing_is_lost(
    two: WarmConverter, forms: list[Path]
) -> None:
    victim = two.servers[0]
    assert victim._proc is not None
    os.killpg(victim._proc.pid, signal.SIGKILL)
    result = two(forms)  # the other server (or the soffice pool) takes its share
    assert set(result.converted) == set(forms) and not result.failed
    assert two.wait_ready(), "the killed server did not come back"
    assert victim.starts == 2


def test_with_no_server_answering_the_soffice_pool_converts(
    forms: list[Path], tmp_path: Path
) -> None:
    nowhere = WarmConverter([Address("127.0.0.1", 9)])  # nothing listens on the discard port
    copy = tmp_path / forms[1].name
    copy.write_bytes(forms[1].read_bytes())
    result = nowhere([copy])
    assert result.converted == {copy: copy.with_suffix(".pdf")}
    assert "教育・研修実施報告書" in pdf_text(copy.with_suffix(".pdf"))
    nowhere.close()
