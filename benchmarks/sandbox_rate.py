"""Request rate of the running sandbox on this machine: a list endpoint and per-case endpoints.

Starts ``sinesys sandbox`` (scale firm, TRT3 only) as a subprocess, logs one lawyer in, then drives
it with a bounded ``httpx.AsyncClient`` on loopback: the painel page of 100 cases (acervo geral),
``partes`` and ``timeline`` of the lawyer's cases, and the admin ``health`` route as the baseline
(the cheapest request the server answers). Each endpoint runs twice: ``cold`` walks pages and cases
the server has not served yet, ``warm`` repeats them (served from the response cache).
The same warm load also runs through a minimal raw-socket client, to tell the server's cost from
httpx's. Writes ``benchmarks/results/sandbox_rate.json`` (with the load average: these machines are
shared, so compare ratios to the baseline of the same run, not absolute rates).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from sinesys_spiders.testing.sandbox_fixtures import ADMIN_TOKEN_HEADER, start_sandbox

RESULTS = Path(__file__).parent / "results" / "sandbox_rate.json"
CONCURRENCY = 16
REQUESTS = 2_000


async def _drive(cookies: dict[str, str], urls: list[str], headers: dict[str, str] | None = None) -> dict[str, Any]:
    """GET every URL with at most CONCURRENCY requests in flight; the rate and the statuses seen."""
    statuses: dict[int, int] = {}
    queue: asyncio.Queue[str] = asyncio.Queue()
    for url in urls:
        queue.put_nowait(url)
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    async with httpx.AsyncClient(cookies=cookies, headers=headers, limits=limits, timeout=60) as client:

        async def worker() -> None:
            while not queue.empty():
                url = queue.get_nowait()
                response = await client.get(url)
                await response.aread()
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
        elapsed = time.perf_counter() - started
    return {
        "requests": len(urls),
        "seconds": round(elapsed, 3),
        "requests_per_second": round(len(urls) / elapsed, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


async def _drive_raw(cookies: dict[str, str], urls: list[str], headers: dict[str, str] | None = None) -> dict[str, Any]:
    """The same load with a minimal keep-alive HTTP/1.1 client on raw asyncio streams.

    httpx's own cost per request is close to the server's on these machines; this client costs
    almost nothing, so its rate is nearer to what the server alone can answer.
    """
    split = urlsplit(urls[0])
    host, port = split.hostname or "127.0.0.1", split.port or 80
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    if cookies:
        extra += "Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items()) + "\r\n"
    requests = [
        f"GET {urlsplit(u).path}?{urlsplit(u).query} HTTP/1.1\r\nHost: {host}:{port}\r\n{extra}\r\n".encode()
        for u in urls
    ]
    statuses: dict[int, int] = {}
    position = iter(range(len(requests)))

    async def worker() -> None:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            for i in position:
                writer.write(requests[i])
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head[9:12])
                length = int(head.lower().split(b"content-length: ", 1)[1].split(b"\r\n", 1)[0])
                await reader.readexactly(length)
                statuses[status] = statuses.get(status, 0) + 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    elapsed = time.perf_counter() - started
    return {
        "requests": len(urls),
        "seconds": round(elapsed, 3),
        "requests_per_second": round(len(urls) / elapsed, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


def _repeat(urls: list[str], n: int) -> list[str]:
    return [urls[i % len(urls)] for i in range(n)]


def main() -> None:
    with (
        tempfile.TemporaryDirectory() as tmp,
        start_sandbox(Path(tmp), scale="firm", users=2, tribunais="TRT3") as sandbox,
    ):
        user = sandbox.users[0]
        with contextlib.closing(sandbox.login(user, "TRT3", "primeiro_grau")) as http:
            cookies = {"access_token": http.cookies["access_token"]}
            api = sandbox.api_url("TRT3")
            painel = f"{api}/paineladvogado/{user.ids_advogado['TRT3']}/processos?idAgrupamentoProcessoTarefa=1"
            first = http.get(f"{painel}&pagina=1&tamanhoPagina=100").json()
            pages = max(first["qtdPaginas"], 1)
            ids = []
            for page in range(1, pages + 1):
                ids += [r["id"] for r in http.get(f"{painel}&pagina={page}&tamanhoPagina=100").json()["resultado"]]
        page_urls = [f"{painel}&pagina={p}&tamanhoPagina=100" for p in range(1, pages + 1)]
        partes_urls = [f"{api}/processos/id/{i}/partes" for i in ids]
        timeline_urls = [f"{api}/processos/id/{i}/timeline" for i in ids]
        admin = {ADMIN_TOKEN_HEADER: sandbox.info["admin_token"]}
        health_url = sandbox.admin_url + "/health"

        figures: dict[str, Any] = {}
        load_before = os.getloadavg()[0]
        figures["partes, cold (httpx)"] = asyncio.run(_drive(cookies, partes_urls[:REQUESTS]))
        figures["timeline, cold (httpx)"] = asyncio.run(_drive(cookies, timeline_urls[:REQUESTS]))
        for client, drive in (("httpx", _drive), ("raw", _drive_raw)):
            figures[f"health, baseline ({client})"] = asyncio.run(drive({}, [health_url] * REQUESTS, admin))
            figures[f"painel page of 100, warm ({client})"] = asyncio.run(drive(cookies, _repeat(page_urls, REQUESTS)))
            figures[f"partes, warm ({client})"] = asyncio.run(drive(cookies, _repeat(partes_urls, REQUESTS)))
            figures[f"timeline, warm ({client})"] = asyncio.run(drive(cookies, _repeat(timeline_urls, REQUESTS)))
        load_after = os.getloadavg()[0]

    for name, entry in figures.items():
        client = "raw" if name.endswith("(raw)") else "httpx"
        baseline = figures[f"health, baseline ({client})"]["requests_per_second"]
        entry["ratio_to_baseline"] = round(entry["requests_per_second"] / baseline, 3)
    result = {
        "benchmark": "sandbox_rate",
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_1min": [round(load_before, 2), round(load_after, 2)],
        },
        "setup": {
            "scale": "firm",
            "tribunal": "TRT3",
            "acervo_pages": pages,
            "cases": len(ids),
            "concurrency": CONCURRENCY,
            "client": "httpx.AsyncClient, one process, loopback",
        },
        "figures": figures,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    for name, entry in figures.items():
        print(f"{name:<28} {entry['requests_per_second']:>8.1f} req/s  {entry['statuses']}")


if __name__ == "__main__":
    main()
