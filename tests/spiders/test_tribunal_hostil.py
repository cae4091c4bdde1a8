"""A tribunal that lies, floods or sends requests elsewhere ends its credential with a clear code (issue 17).

A real ``scrapy crawl acervo_geral`` runs against the sandbox through a hostile proxy on the tribunal's
loopback address (the session's cookies still apply). The proxy spoils the paged list answer:

- ``paginas``: ``qtdPaginas`` of 2,000,000 (the counter says a few hundred cases);
- ``enorme``: a body that never ends (no Content-Length), as a flood of hundreds of MB would;
- ``bomba``: 100 MB of JSON gzip-compressed to about 100 KB;
- ``fora``: a redirect to another host, which records any request it receives;
- ``longa``: 2,000 pages and totals that explain them (within the bound), page 2 onwards answered by the proxy,
  empty, every 7th one dripping for minutes.
"""

from __future__ import annotations

import gzip
import http.server
import json
import re
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from processo_e2e import ProcessoE2E

from sinesys_spiders.core.db.repositories.tribunais_config import TribunaisConfigRepository
from sinesys_spiders.testing.db_fixtures import on_postgresql
from sinesys_spiders.testing.sandbox_fixtures import SandboxClient

pytestmark = [pytest.mark.e2e, pytest.mark.slow, on_postgresql]

_FORA_HOST = "127.0.2.9"
_CHUNK = b" " * (1 << 20)
_ENORME_MAX = 400  # MB the proxy would send if nobody stopped reading
_LONGA_PAGINAS = 2_000  # the most pages a listing may have (plugins.pje_trt.requests.MAX_PAGINAS)
_STAT_PENDENTES = re.compile(r"'sinesys/pedidos_pendentes_max': (\d+)")
_BOMBA = gzip.compress(b'{"resultado": [], "x": "' + b" " * (100 << 20) + b'"}', compresslevel=9)


class _Fora(http.server.BaseHTTPRequestHandler):
    """Another host: records every request that reaches it."""

    recebidos: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.recebidos.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: Any) -> None:
        return None


class _Hostil(http.server.BaseHTTPRequestHandler):
    """Forwards to the sandbox tribunal; spoils the acervo list's paged answer as ``modo`` says."""

    upstream = ""
    modo = ""
    fora = ""
    paginados: ClassVar[list[str]] = []
    enviados_mb: ClassVar[list[int]] = []

    def do_GET(self) -> None:
        paginado = "/processos?" in self.path and "idAgrupamentoProcessoTarefa=1" in self.path
        if paginado:
            self.paginados.append(self.path)
        if paginado and self.modo == "fora":
            self.send_response(302)
            self.send_header("Location", f"{self.fora}/pje-comum-api/api/roubo?{self.path.split('?', 1)[1]}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if paginado and self.modo == "bomba":  # 100 MB of spaces, gzip-compressed to about 100 KB
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(_BOMBA)))
            self.end_headers()
            self.wfile.write(_BOMBA)
            return
        if paginado and self.modo == "enorme":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Connection", "close")
            self.end_headers()
            sent = 0
            try:
                self.wfile.write(b'{"resultado": [], "x": "')
                for sent in range(1, _ENORME_MAX + 1):  # noqa: B007 - counted
                    self.wfile.write(_CHUNK)
            except OSError:
                pass
            self.enviados_mb.append(sent)
            self.close_connection = True
            return
        pagina = int(parse_qs(urlsplit(self.path).query).get("pagina", ["1"])[0])
        if paginado and self.modo == "longa" and pagina > 1:
            self._longa(pagina)
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("cookie", "accept")}
        answer = httpx.get(self.upstream + self.path, headers=headers, timeout=60)
        body = answer.content
        if paginado and self.modo == "paginas":
            payload = json.loads(body)
            payload["qtdPaginas"] = 2_000_000
            body = json.dumps(payload).encode()
        if self.modo == "longa" and (paginado or self.path.split("?")[0].endswith("/totalizadores")):
            payload = json.loads(body)  # 2,000 pages, and totals that explain them (within the bound)
            if paginado:
                payload.update(qtdPaginas=_LONGA_PAGINAS, totalRegistros=_LONGA_PAGINAS * 100 - 100)
            else:
                for row in payload:
                    if row.get("idAgrupamentoProcessoTarefa") == 1:
                        row["quantidadeProcessos"] = _LONGA_PAGINAS * 100 - 100
            body = json.dumps(payload).encode()
        self.send_response(answer.status_code)
        self.send_header("Content-Type", answer.headers.get("content-type", "application/json"))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _longa(self, pagina: int) -> None:
        """Page 2 onwards of the long listing: empty, a little slow, and every 7th one dripping (a byte every 0.2 s
        of a declared 1,000, below every size limit) for as long as the crawl waits. With a window of 16 every
        chain of pages meets a multiple of 7: after about 60 pages every request in flight drips, and the crawl
        stalls. Page 3 asks, with a 429, to come back in five minutes."""
        if pagina == 3:  # come back in five minutes: the retry waits (SINESYS_RETRY_AFTER_MAX is 300 s)
            self.send_response(429)
            self.send_header("Retry-After", "300")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if pagina % 7 == 0:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            try:
                for _ in range(999):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(0.2)
            except OSError:
                pass
            return
        time.sleep(0.05)
        body = json.dumps({"pagina": pagina, "tamanhoPagina": 100, "qtdPaginas": _LONGA_PAGINAS,
                           "totalRegistros": _LONGA_PAGINAS * 100 - 100, "resultado": []}).encode()  # fmt: skip
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        return None


def _server(host: str, handler: type[http.server.BaseHTTPRequestHandler]) -> http.server.ThreadingHTTPServer:
    with socket.socket() as probe:
        probe.bind((host, 0))
        port = probe.getsockname()[1]
    server = http.server.ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def e2e(pje_sandbox: SandboxClient, database_url: str, tmp_path: Path) -> Iterator[ProcessoE2E]:
    user = pje_sandbox.take_user()
    e2e = ProcessoE2E(sandbox=pje_sandbox, database_url=database_url, workdir=tmp_path, user=user, tribunal="TRT3")
    yield e2e
    e2e.close()


@pytest.mark.parametrize(
    ("modo", "codigo"),
    [
        ("paginas", "RESPOSTA_INVALIDA"),
        ("enorme", "RESPOSTA_GRANDE_DEMAIS"),
        ("bomba", "RESPOSTA_GRANDE_DEMAIS"),
        ("fora", "HOST_NAO_PERMITIDO"),
    ],
)
def test_a_hostile_list_answer_ends_the_credential_with_a_clear_code(e2e: ProcessoE2E, modo: str, codigo: str) -> None:
    """The lie, the flood, a decompression bomb and the redirect each end that credential with its code; nothing
    reaches another host,
    at most the first page of the lie is asked, and the flood is cut off at the JSON size limit."""
    host = e2e.sandbox.base_url("TRT3").split("//")[1].split(":")[0]
    fora = _server(_FORA_HOST, _Fora)
    _Fora.recebidos.clear()
    _Hostil.paginados.clear()
    _Hostil.enviados_mb.clear()
    handler = type(
        "Hostil",
        (_Hostil,),
        {
            "upstream": e2e.sandbox.base_url("TRT3"),
            "modo": modo,
            "fora": f"http://{_FORA_HOST}:{fora.server_address[1]}",
        },
    )
    proxy = _server(host, handler)
    try:
        with e2e.factory.begin() as session:
            TribunaisConfigRepository(session).set_override(
                tribunal="TRT3", grau="primeiro_grau", base_url=f"http://{host}:{proxy.server_address[1]}"
            )
        result, resumo = e2e.crawl("acervo_geral", check=False)
    finally:
        proxy.shutdown()
        fora.shutdown()

    assert resumo is not None, result.stderr[-3000:]
    entry = e2e.resultado(resumo)
    assert entry["erro"]["codigo"] == codigo, entry
    assert "Traceback" not in result.stderr, result.stderr[-4000:]
    assert _Fora.recebidos == []
    assert len(_Hostil.paginados) == 1  # the first page only: no page of the lie was queued
    if modo == "enorme":
        assert _Hostil.enviados_mb, "the flood was not sent"
        assert max(_Hostil.enviados_mb) < 64  # cut off near the 16 MB JSON limit, far below the 400 MB offered


@pytest.mark.parametrize("parada", ["sigterm", "closespider_timeout"])
def test_a_crawl_paces_a_long_listing_and_stops_while_the_tribunal_drips(e2e: ProcessoE2E, parada: str) -> None:
    """A listing declaring 2,000 pages (totals that explain them, so within the bound), whose every 7th page drips
    for minutes and whose page 3 asks (429) to retry in five minutes: at most a window of 16 requests is ever
    pending (the stat ``sinesys/pedidos_pendentes_max``), never all the pages at once; SIGTERM, or
    CLOSESPIDER_TIMEOUT, ends the crawl with downloads still dripping (cut after SINESYS_PARADA_ESPERA, 1 s here,
    not the 600 s download timeout) and the retry still waiting, and its history row is closed. Its log file,
    written under umask 022, is owner-only."""
    host = e2e.sandbox.base_url("TRT3").split("//")[1].split(":")[0]
    _Hostil.paginados.clear()
    handler = type("Hostil", (_Hostil,), {"upstream": e2e.sandbox.base_url("TRT3"), "modo": "longa", "fora": ""})
    proxy = _server(host, handler)
    log = e2e.workdir / f"crawl-{parada}.log"
    saida = e2e.workdir / f"crawl-{parada}.stderr"
    try:
        with e2e.factory.begin() as session:
            TribunaisConfigRepository(session).set_override(
                tribunal="TRT3", grau="primeiro_grau", base_url=f"http://{host}:{proxy.server_address[1]}"
            )
        # Under a careless umask (022), with its log in a file: the log is still owner-only (issue 17, item 5).
        argv = ["sh", "-c", 'umask 022 && exec "$@"', "sh", sys.executable, "-m", "scrapy", "crawl", "acervo_geral",
                "-a", f"credenciais={e2e.credencial_id}", "-s", "DOWNLOAD_TIMEOUT=600",
                "-s", "SINESYS_PARADA_ESPERA=1", "-s", f"LOG_FILE={log}"]  # fmt: skip
        if parada == "closespider_timeout":
            argv += ["-s", "CLOSESPIDER_TIMEOUT=5"]
        with saida.open("w") as stderr_file:
            crawl = subprocess.Popen(argv, cwd=Path(__file__).resolve().parents[2], env=e2e.env,
                                     stdout=subprocess.DEVNULL, stderr=stderr_file, text=True)  # fmt: skip
            try:
                for _ in range(600):  # the window slides: pages well past the first 16 are asked
                    if len(_Hostil.paginados) >= 48 or crawl.poll() is not None:
                        break
                    time.sleep(0.1)
                assert _Hostil.paginados, "the crawl never asked for the list"
                if parada == "sigterm":
                    crawl.send_signal(signal.SIGTERM)
                crawl.wait(timeout=120)
            finally:
                if crawl.poll() is None:
                    crawl.kill()
                    crawl.wait()
    finally:
        proxy.shutdown()
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    stderr = log.read_text() + saida.read_text()
    assert "Traceback" not in stderr, stderr[-4000:]
    resumo = e2e.resumo_ultimo()
    assert resumo is not None
    assert resumo.status != "in_progress", resumo.status
    paginas = [int(parse_qs(urlsplit(p).query)["pagina"][0]) for p in _Hostil.paginados]
    assert max(paginas) < _LONGA_PAGINAS  # stopped long before the listing's end
    pendentes = _STAT_PENDENTES.search(stderr)
    assert pendentes is not None, stderr[-4000:]
    assert int(pendentes.group(1)) <= 16, pendentes.group(0)  # SINESYS_PAGINAS_EM_VOO, not 1,999
    assert "DownloadInterrompido" in stderr  # pages 7 and 14 were still dripping: cut, not waited for
    if parada == "sigterm":
        assert len(paginas) >= 48, len(paginas)
        assert "'sinesys/retry/wait_seconds': 300" in stderr  # page 3's retry was waiting its five minutes: cut too
