"""Benchmark: the web page with its warm LibreOffice, against the command line.

    .venv/bin/python bench/web.py [--runs 3] [--concurrent 10] [--local 2]

Prints three figures in one run (compare them with each other, not across machines):
1. one contract's ① bundle (R7-001 of the sample: 4 forms + cover) through the page, from the
   click on 作成する to the ZIP downloaded, with the warm converter (median of ``--runs``);
2. the same through ``python -m hino_forms generate --contract R7-001 --timing conclusion``
   on the command line (a new process, cold soffice starts; median of ``--runs``);
3. ``--concurrent`` contract jobs from as many browser sessions at once: total time,
   throughput and the slowest job.
The server runs in this process (uvicorn on a port-0 socket), talking HTTP as a browser does.
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from hino_forms.web.app import create_app  # noqa: E402
from hino_forms.web.settings import Settings  # noqa: E402

SAMPLE = ROOT / "data" / "sample.xlsx"
CONTRACTS = [f"R7-00{n}" for n in range(1, 9)]  # the sample's eight contracts


def serve(settings: Settings) -> tuple[str, uvicorn.Server, threading.Thread, object]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", timeout_graceful_shutdown=5))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    while not server.started:
        time.sleep(0.05)
    return url, server, thread, app


def session(url: str) -> tuple[httpx.Client, str]:
    """A browser session that has uploaded the sample; its CSRF token."""
    client = httpx.Client(base_url=url, follow_redirects=True, timeout=300)
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/").text)
    assert token
    with SAMPLE.open("rb") as f:
        r = client.post(
            "/upload",
            data={"csrf": token[1], "next": "generate"},
            files={"file": ("sample.xlsx", f)},
        )
    r.raise_for_status()
    return client, token[1]


def one_job(client: httpx.Client, token: str, contract: str, timing: str = "conclusion") -> float:
    """Click 作成する → the progress stream ends → the ZIP is downloaded; seconds."""
    started = time.perf_counter()
    form = {"csrf": token, "contract": contract, "timing": timing, "from": "", "to": ""}
    r = client.post("/generate", data=form)
    r.raise_for_status()
    job = str(r.url).rstrip("/")
    assert "/jobs/" in job, r.text[:300]
    with client.stream("GET", job + "/events") as events:
        for line in events.iter_lines():
            if line == "event: end":
                break
    z = client.get(job + "/zip")
    assert z.status_code == 200 and z.content[:2] == b"PK", "the job made no ZIP"
    return time.perf_counter() - started


def cli_seconds(contract: str) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "hino_forms", "generate", str(SAMPLE), "--contract", contract,
             "--timing", "conclusion", "--out", str(Path(tmp) / "out")],
            check=True, cwd=ROOT, capture_output=True,
        )  # fmt: skip
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrent", type=int, default=10)
    parser.add_argument("--local", type=int, default=2, help="unoservers on this machine")
    args = parser.parse_args()

    settings = Settings(local_unoservers=args.local, max_jobs=args.concurrent, workers=2)
    url, server, thread, app = serve(settings)
    try:
        converter = app.state.converter  # type: ignore[attr-defined]
        t0 = time.perf_counter()
        ready = converter.wait_ready()
        print(f"warm converter: {len(converter.addresses)} unoserver(s), "
              f"ready={ready} after {time.perf_counter() - t0:.1f} s")  # fmt: skip
        client, token = session(url)
        one_job(client, token, "R7-003")  # the first conversion of each server warms it fully
        page = [one_job(client, token, "R7-001") for _ in range(args.runs)]
        print(f"1. page, one contract ① (4 forms + cover), click → ZIP downloaded: "
              f"median {statistics.median(page):.2f} s  (runs: {', '.join(f'{s:.2f}' for s in page)})")  # fmt: skip

        cli = [cli_seconds("R7-001") for _ in range(args.runs)]
        print(f"2. command line generate --contract R7-001 --timing conclusion: "
              f"median {statistics.median(cli):.2f} s  (runs: {', '.join(f'{s:.2f}' for s in cli)})")  # fmt: skip

        sessions = [session(url) for _ in range(args.concurrent)]
        times: list[float] = [0.0] * args.concurrent

        def run(i: int) -> None:
            c, tok = sessions[i]
            times[i] = one_job(c, tok, CONTRACTS[i % len(CONTRACTS)], timing="")

        workers = [threading.Thread(target=run, args=(i,)) for i in range(args.concurrent)]
        started = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        total = time.perf_counter() - started
        print(f"3. {args.concurrent} concurrent contract jobs (all timings, 8 contracts in turn): "
              f"{total:.1f} s in all, {args.concurrent / total:.2f} jobs/s, slowest {max(times):.1f} s, "
              f"median {statistics.median(times):.1f} s")  # fmt: skip
        print(
            f"   conversions per unoserver: {dict((str(a), n) for a, n in converter.served.items())}"
        )
    finally:
        server.should_exit = True
        thread.join(timeout=60)


if __name__ == "__main__":
    main()
