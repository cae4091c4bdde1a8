"""The PJE REST API of pje-api.md §3, under ``/pje-comum-api/api`` (plus ``/pje-seguranca``).

Cookie-only authentication, as the real one: an ``Authorization`` header gets 401, a missing,
expired or other tribunal's ``access_token`` gets 401 (or, per fault profile, ``expired_answer``:
403 or HTTP 200 with the login page, the other expiry signals of pje-api.md §1), another lawyer's id in
``paineladvogado/{id}`` gets 403, a case the lawyer cannot see gets 403. Unknown parameters are
ignored; bad ones get 400 with a JSON error. Lists are paginated here from the world's rows, with
the painel's ``pagina`` and the pauta's ``numeroPagina``; ``tamanhoPagina`` is capped at 100.
Serialized pages are cached until the world advances.
"""

from __future__ import annotations

import datetime
import json
import math
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from plugins.pje_trt.sandbox.app import TRIBUNAL_KEY
from plugins.pje_trt.sandbox.sso import login_page

if TYPE_CHECKING:
    from plugins.pje_trt.sandbox.app import Sandbox
    from plugins.pje_trt.sandbox.state import PjeSession
    from plugins.pje_trt.tribunais import TribunalTrt as Tribunal

__all__ = ["MAX_PAGE_SIZE", "routes"]

MAX_PAGE_SIZE = 100
_PAGE_CACHE = 20_000  # pages of 100 rows: 10,000 cases x 2 lists = 200 pages; room for many lawyers
_ROWS_CACHE = 2_000
_CASE_CACHE = 4_096  # partes and timeline bodies are larger; a capture reads each once
_AGRUPAMENTOS = (1, 2, 5)
_AGRUPADORES = ("N", "I", "C")
_SITUACOES = ("M", "C", "F")


class ApiError(Exception):
    def __init__(self, status: int, mensagem: str) -> None:
        super().__init__(mensagem)
        self.status = status
        self.mensagem = mensagem


class _LoginPage(Exception):
    """Answer with login.seam's HTML and HTTP 200, as some PJE deployments do for a dead session."""


def _json(data: Any, status: int = 200) -> Response:
    return Response(_dumps(data), status_code=status, media_type="application/json")


def _dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _error(status: int, mensagem: str) -> Response:
    return _json({"codigoErro": f"PJE-{status}", "mensagem": mensagem, "status": status}, status)


def _authenticate(request: Request) -> tuple[Sandbox, PjeSession]:
    """The caller's live session, or ``ApiError`` 401."""
    sandbox: Sandbox = request.app.state.sandbox
    if "authorization" in request.headers:
        raise ApiError(401, "Autenticação por cabeçalho não é aceita.")
    tribunal: Tribunal = request.scope[TRIBUNAL_KEY]
    state = sandbox.state
    session = state.session_from_token(request.cookies.get("access_token"), tribunal)
    if session is None:
        _no_session(sandbox, tribunal)
    now = time.monotonic()
    session.requests += 1
    if sandbox.faults.session_expired(tribunal, session.requests, now - session.last_seen):
        state.end_session(session, "fault")
        _no_session(sandbox, tribunal)
    session.last_seen = now
    return sandbox, session


def _no_session(sandbox: Sandbox, tribunal: Tribunal) -> NoReturn:
    answer = sandbox.faults.expired_answer(tribunal)
    if answer == "login_page":
        raise _LoginPage
    raise ApiError(int(answer), "Sessão inválida ou expirada.")


def _int_param(request: Request, name: str, default: int | None = None, *, minimum: int = 0) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        if default is None:
            raise ApiError(400, f"Parâmetro obrigatório ausente: {name}")
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"Parâmetro inválido: {name}={raw!r}") from None
    if value < minimum:
        raise ApiError(400, f"Parâmetro inválido: {name}={raw!r}")
    return value


def _date_param(request: Request, name: str) -> datetime.date:
    raw = request.query_params.get(name)
    if not raw:
        raise ApiError(400, f"Parâmetro obrigatório ausente: {name}")
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError:
        raise ApiError(400, f"Parâmetro inválido: {name}={raw!r} (use AAAA-MM-DD)") from None


def _endpoint(handler: Callable[[Request], Response]) -> Callable[[Request], Any]:
    async def wrapped(request: Request) -> Response:
        try:
            return handler(request)
        except ApiError as exc:
            return _error(exc.status, exc.mensagem)
        except _LoginPage:
            sandbox: Sandbox = request.app.state.sandbox
            tribunal: Tribunal = request.scope[TRIBUNAL_KEY]
            return HTMLResponse(login_page(sandbox, tribunal, tribunal.graus[0]))

    wrapped.__name__ = handler.__name__
    wrapped.__doc__ = handler.__doc__
    return wrapped


class _Cache:
    """Built responses of the current world generation: FIFO-evicted past ``size``, emptied on ``advance``."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.generation = -1
        self.entries: dict[tuple[Any, ...], Any] = {}

    def get(self, generation: int, key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
        if generation != self.generation:
            self.entries.clear()
            self.generation = generation
        value = self.entries.get(key)
        if value is None:
            value = build()
            if len(self.entries) >= self.size:
                del self.entries[next(iter(self.entries))]
            self.entries[key] = value
        return value


def _cache(sandbox: Sandbox, name: str, size: int) -> _Cache:
    cache = sandbox.__dict__.get(name)
    if cache is None:
        cache = sandbox.__dict__[name] = _Cache(size)
    return cache


def _cached(sandbox: Sandbox, key: tuple[Any, ...], build: Callable[[], bytes]) -> bytes:
    """A serialized page or per-case body (pages of every list, the latest per-case bodies)."""
    name, size = ("_case_cache", _CASE_CACHE) if key[0] in ("partes", "timeline") else ("_page_cache", _PAGE_CACHE)
    body: bytes = _cache(sandbox, name, size).get(sandbox.generation, key, build)
    return body


def _rows(sandbox: Sandbox, key: tuple[Any, ...], build: Callable[[], list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The world's rows of one list, before pagination."""
    rows: list[dict[str, Any]] = _cache(sandbox, "_rows_cache", _ROWS_CACHE).get(sandbox.generation, key, build)
    return rows


def _envelope(rows: list[dict[str, Any]], pagina: int, tamanho: int, *, zero_when_one_page: bool) -> dict[str, Any]:
    total = len(rows)
    paginas = math.ceil(total / tamanho) if total else 0
    if zero_when_one_page and total <= tamanho:
        paginas = 0  # the pauta's quirk (pje-api.md §3)
    start = (pagina - 1) * tamanho
    return {
        "pagina": pagina,
        "tamanhoPagina": tamanho,
        "qtdPaginas": paginas,
        "totalRegistros": total,
        "resultado": rows[start : start + tamanho],
    }


def _own_advogado(request: Request, session: PjeSession) -> int:
    id_advogado: int = request.path_params["id_advogado"]
    if id_advogado != session.id_advogado:
        raise ApiError(403, "Acesso negado ao painel de outro advogado.")
    return id_advogado


# -- painel do advogado ----------------------------------------------------------------------------
@_endpoint
def totalizadores(request: Request) -> Response:
    """``/paineladvogado/{id}/totalizadores``: counters of agrupamentos 1, 2 and 5."""
    sandbox, session = _authenticate(request)
    id_advogado = _own_advogado(request, session)
    key = ("totalizadores", session.tribunal, session.grau, id_advogado)
    body = _cached(
        sandbox,
        key,
        lambda: _dumps(sandbox.world.totalizadores(session.tribunal.value, session.grau.value, id_advogado)),
    )
    delta = sandbox.faults.totalizadores_delta(session.tribunal)
    if delta:  # fault: a counter that disagrees with its list
        rows = json.loads(body)
        for row in rows:
            row["quantidadeProcessos"] += delta.get(row["idAgrupamentoProcessoTarefa"], 0)
        body = _dumps(rows)
    return Response(body, media_type="application/json")


@_endpoint
def processos(request: Request) -> Response:
    """``/paineladvogado/{id}/processos``: acervo (1), pendentes (2, ``agrupadorExpediente``), arquivados (5)."""
    sandbox, session = _authenticate(request)
    id_advogado = _own_advogado(request, session)
    agrupamento = _int_param(request, "idAgrupamentoProcessoTarefa", minimum=1)
    pagina = _int_param(request, "pagina", 1, minimum=1)
    tamanho = min(_int_param(request, "tamanhoPagina", MAX_PAGE_SIZE, minimum=1), MAX_PAGE_SIZE)
    agrupador = request.query_params.get("agrupadorExpediente") or None
    if agrupador is not None and agrupador not in _AGRUPADORES:
        raise ApiError(400, f"Parâmetro inválido: agrupadorExpediente={agrupador!r}")
    numero = request.query_params.get("numeroProcesso") or None
    tribunal, grau = session.tribunal.value, session.grau.value

    def build_rows() -> list[dict[str, Any]]:
        if agrupamento not in _AGRUPAMENTOS:
            return []
        rows = sandbox.world.painel(tribunal, grau, id_advogado, agrupamento, agrupador if agrupamento == 2 else None)
        if numero is not None:
            rows = [r for r in rows if r.get("numeroProcesso") == numero]
        return rows

    key = ("painel", tribunal, grau, id_advogado, agrupamento, agrupador, numero)
    body = _cached(
        sandbox,
        (*key, pagina, tamanho),
        lambda: _dumps(_envelope(_rows(sandbox, key, build_rows), pagina, tamanho, zero_when_one_page=False)),
    )
    return Response(body, media_type="application/json")


@_endpoint
def pauta(request: Request) -> Response:
    """``/pauta-usuarios-externos``: the lawyer's hearings between two dates, by situação (M, C, F)."""
    sandbox, session = _authenticate(request)
    inicio = _date_param(request, "dataInicio")
    fim = _date_param(request, "dataFim")
    if fim < inicio:
        raise ApiError(400, "dataFim anterior a dataInicio.")
    situacao = request.query_params.get("codigoSituacao") or "M"
    if situacao not in _SITUACOES:
        raise ApiError(400, f"Parâmetro inválido: codigoSituacao={situacao!r}")
    ordenacao = request.query_params.get("ordenacao") or "asc"
    if ordenacao not in ("asc", "desc"):
        raise ApiError(400, f"Parâmetro inválido: ordenacao={ordenacao!r}")
    pagina = _int_param(request, "numeroPagina", 1, minimum=1)
    tamanho = min(_int_param(request, "tamanhoPagina", MAX_PAGE_SIZE, minimum=1), MAX_PAGE_SIZE)
    tribunal, grau = session.tribunal.value, session.grau.value

    def build_rows() -> list[dict[str, Any]]:
        rows = sandbox.world.pauta(tribunal, grau, session.id_advogado, inicio, fim, situacao)
        rows = sorted(rows, key=lambda r: (str(r.get("dataInicio", "")), r.get("id", 0)))
        return rows[::-1] if ordenacao == "desc" else rows

    key = ("pauta", tribunal, grau, session.id_advogado, inicio, fim, situacao, ordenacao)
    body = _cached(
        sandbox,
        (*key, pagina, tamanho),
        lambda: _dumps(_envelope(_rows(sandbox, key, build_rows), pagina, tamanho, zero_when_one_page=True)),
    )
    return Response(body, media_type="application/json")


# -- per case --------------------------------------------------------------------------------------
def _visible_case(request: Request) -> tuple[Sandbox, PjeSession, int]:
    sandbox, session = _authenticate(request)
    id_processo = request.path_params["id_processo"]
    visible = sandbox.world.processo_visivel(
        session.tribunal.value, session.grau.value, session.id_advogado, id_processo
    )
    if not visible:
        raise ApiError(403, "Acesso negado ao processo.")
    return sandbox, session, id_processo


def _grau_param(request: Request) -> None:
    grau = request.query_params.get("grau")
    if grau is not None and grau not in ("1", "2"):
        raise ApiError(400, f"Parâmetro inválido: grau={grau!r}")


@_endpoint
def partes(request: Request) -> Response:
    """``/processos/id/{id}/partes``: ``{ATIVO, PASSIVO, TERCEIROS}`` or an array (per tribunal); 404 if none."""
    sandbox, session, id_processo = _visible_case(request)
    tribunal, grau = session.tribunal.value, session.grau.value
    body = _cached(
        sandbox,
        ("partes", tribunal, grau, id_processo),
        lambda: _dumps(sandbox.world.partes(tribunal, grau, id_processo)),
    )
    if body == b"null":
        raise ApiError(404, "Nenhuma parte encontrada para o processo.")
    return Response(body, media_type="application/json")


@_endpoint
def timeline(request: Request) -> Response:
    """``/processos/id/{id}/timeline``: a plain array of movements and documents."""
    sandbox, session, id_processo = _visible_case(request)
    tribunal, grau = session.tribunal.value, session.grau.value
    body = _cached(
        sandbox,
        ("timeline", tribunal, grau, id_processo),
        lambda: _dumps(sandbox.world.timeline(tribunal, grau, id_processo)),
    )
    if body == b"null":
        raise ApiError(404, "Processo não encontrado.")
    return Response(body, media_type="application/json")


@_endpoint
def documento(request: Request) -> Response:
    """``/processos/id/{id}/documentos/id/{idDoc}``: document metadata."""
    sandbox, session, id_processo = _visible_case(request)
    _grau_param(request)
    data = sandbox.world.documento(
        session.tribunal.value, session.grau.value, id_processo, request.path_params["id_documento"]
    )
    if data is None:
        raise ApiError(404, "Documento não encontrado.")
    return _json(data)


@_endpoint
def conteudo(request: Request) -> Response:
    """``.../documentos/id/{idDoc}/conteudo``: the PDF itself."""
    sandbox, session, id_processo = _visible_case(request)
    _grau_param(request)
    pdf = sandbox.world.documento_conteudo(
        session.tribunal.value, session.grau.value, id_processo, request.path_params["id_documento"]
    )
    if pdf is None:
        raise ApiError(404, "Documento não encontrado.")
    return Response(pdf, media_type="application/pdf")


# -- pje-seguranca ---------------------------------------------------------------------------------
@_endpoint
def perfis(request: Request) -> Response:
    """``/pje-seguranca/api/token/perfis``: the user's profiles; the lawyer's is ``ADVOGADO``."""
    sandbox, session = _authenticate(request)
    user = sandbox.world.user_by_login(session.login)
    nome = user.nome if user else ""
    cpf = session.login
    cpf_fmt = f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"
    return _json(
        [
            {
                "idPerfil": session.id_advogado,
                "identificadorPapel": "ADVOGADO",
                "papel": "Advogado",
                "localizacao": f"{nome} ({cpf_fmt})",
            },
            {
                "idPerfil": user.id_usuario if user else 0,
                "identificadorPapel": "JUS_POSTULANDI",
                "papel": "Jus Postulandi",
                "localizacao": f"{nome} ({cpf_fmt})",
            },
        ]
    )


def routes() -> list[Route]:
    api = "/pje-comum-api/api"
    caso = api + "/processos/id/{id_processo:int}"
    return [
        Route(api + "/paineladvogado/{id_advogado:int}/totalizadores", totalizadores, methods=["GET"]),
        Route(api + "/paineladvogado/{id_advogado:int}/processos", processos, methods=["GET"]),
        Route(api + "/pauta-usuarios-externos", pauta, methods=["GET"]),
        Route(caso + "/partes", partes, methods=["GET"]),
        Route(caso + "/timeline", timeline, methods=["GET"]),
        Route(caso + "/documentos/id/{id_documento:int}", documento, methods=["GET"]),
        Route(caso + "/documentos/id/{id_documento:int}/conteudo", conteudo, methods=["GET"]),
        Route("/pje-seguranca/api/token/perfis", perfis, methods=["GET"]),
    ]
