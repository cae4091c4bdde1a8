"""Request builders and pagination rules of PJE-TRT's list endpoints (pje-api.md §3).

Pure functions: each takes the effective API base URL (``TribunalEndpoint.api_url``, e.g.
``https://pje.trt3.jus.br/pje-comum-api/api`` or the sandbox's) and returns a URL string.

Pagination: the advocate panel (acervo, arquivados, pendentes) pages with ``pagina``, the pauta
(audiências) with ``numeroPagina``; both ``tamanhoPagina=100`` (PJE's maximum). Every answer is the
envelope ``{pagina, tamanhoPagina, qtdPaginas, totalRegistros, resultado[]}``, and ``qtdPaginas`` may
be 0 when every row fits one page: :func:`total_paginas` reads that as 1 when ``resultado`` is not
empty. The first page says how many there are (:func:`ultima_pagina`, bounded by the totals); the captures
ask the rest a window at a time (:mod:`sinesys_spiders.core.paginacao`).

Totalizador checks (:func:`check_acervo`, :func:`check_pendentes`) compare what was captured with
the panel's counters and raise :class:`~sinesys_spiders.core.errors.TotalizadorDivergente` carrying
both numbers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode, urlsplit

from sinesys_spiders.plugin import EntradaInvalida, RespostaInvalida, TipoCaptura, TotalizadorDivergente, ecoar

__all__ = [
    "AGRUPAMENTO_POR_TIPO",
    "TAMANHO_PAGINA",
    "AgrupamentoPainel",
    "Envelope",
    "FiltroPrazo",
    "SituacaoAudiencia",
    "acervo_geral_url",
    "arquivados_url",
    "check_acervo",
    "check_pendentes",
    "describe_request",
    "page_url",
    "pauta_url",
    "pendentes_url",
    "proximas_paginas",
    "read_envelope",
    "read_totalizadores",
    "total_paginas",
    "totalizadores_url",
    "ultima_pagina",
]

#: Rows per page: PJE's maximum, what Sinesys has always used.
TAMANHO_PAGINA = 100


class AgrupamentoPainel(enum.IntEnum):
    """``idAgrupamentoProcessoTarefa`` of the advocate panel, also the totalizador's id."""

    ACERVO_GERAL = 1
    PENDENTES = 2
    ARQUIVADOS = 5


class FiltroPrazo(enum.StrEnum):
    """The pendentes filter of the spider argument ``filtros_prazo``; :attr:`agrupador` is PJE's value."""

    NO_PRAZO = "no_prazo"
    SEM_PRAZO = "sem_prazo"

    @property
    def agrupador(self) -> Literal["N", "I"]:
        return "N" if self is FiltroPrazo.NO_PRAZO else "I"

    @classmethod
    def parse(cls, value: str) -> FiltroPrazo:
        try:
            return cls(value.strip().lower())
        except ValueError:
            raise EntradaInvalida(f"filtro de prazo desconhecido: {ecoar(value)} (use no_prazo ou sem_prazo)") from None


class SituacaoAudiencia(enum.StrEnum):
    """``codigoSituacao`` of the pauta: M designada, C cancelada, F realizada."""

    DESIGNADA = "M"
    CANCELADA = "C"
    REALIZADA = "F"

    @classmethod
    def parse(cls, value: str) -> SituacaoAudiencia:
        try:
            return cls(value.strip().upper())
        except ValueError:
            raise EntradaInvalida(f"situação de audiência desconhecida: {ecoar(value)} (use M, C ou F)") from None


def _url(api_url: str, path: str, params: Sequence[tuple[str, Any]]) -> str:
    return f"{api_url.rstrip('/')}{path}?{urlencode([(k, _text(v)) for k, v in params])}"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _pagina(pagina: int) -> int:
    if pagina < 1:
        raise EntradaInvalida(f"página inválida: {pagina} (a primeira é 1)")
    return pagina


def totalizadores_url(api_url: str, id_advogado: int) -> str:
    """The panel's counters: ``/paineladvogado/{id}/totalizadores?tipoPainelAdvogado=0``."""
    return _url(api_url, f"/paineladvogado/{id_advogado}/totalizadores", [("tipoPainelAdvogado", 0)])


def acervo_geral_url(api_url: str, id_advogado: int, pagina: int = 1) -> str:
    """Active cases: agrupamento 1."""
    return _url(
        api_url,
        f"/paineladvogado/{id_advogado}/processos",
        [
            ("idAgrupamentoProcessoTarefa", AgrupamentoPainel.ACERVO_GERAL.value),
            ("pagina", _pagina(pagina)),
            ("tamanhoPagina", TAMANHO_PAGINA),
        ],
    )


def arquivados_url(api_url: str, id_advogado: int, pagina: int = 1, *, data: dt.datetime | int) -> str:
    """Archived cases: agrupamento 5, newest first; ``data`` is the capture's reference time (epoch ms)."""
    data_ms = data if isinstance(data, int) else int(data.timestamp() * 1000)
    return _url(
        api_url,
        f"/paineladvogado/{id_advogado}/processos",
        [
            ("idAgrupamentoProcessoTarefa", AgrupamentoPainel.ARQUIVADOS.value),
            ("pagina", _pagina(pagina)),
            ("tamanhoPagina", TAMANHO_PAGINA),
            ("tipoPainelAdvogado", 5),
            ("ordenacaoCrescente", False),
            ("data", data_ms),
        ],
    )


def pendentes_url(api_url: str, id_advogado: int, pagina: int = 1, *, filtro: FiltroPrazo) -> str:
    """Pending notices: agrupamento 2, ``agrupadorExpediente`` N (no prazo) or I (sem prazo)."""
    return _url(
        api_url,
        f"/paineladvogado/{id_advogado}/processos",
        [
            ("idAgrupamentoProcessoTarefa", AgrupamentoPainel.PENDENTES.value),
            ("agrupadorExpediente", filtro.agrupador),
            ("pagina", _pagina(pagina)),
            ("tamanhoPagina", TAMANHO_PAGINA),
            ("tipoPainelAdvogado", 2),
            ("idPainelAdvogadoEnum", 2),
            ("ordenacaoCrescente", False),
        ],
    )


def pauta_url(
    api_url: str,
    pagina: int = 1,
    *,
    data_inicio: dt.date,
    data_fim: dt.date,
    situacao: SituacaoAudiencia,
    ordenacao: str = "asc",
) -> str:
    """Hearings between two dates (inclusive) in one situação; the page parameter is ``numeroPagina``."""
    if data_fim < data_inicio:
        raise EntradaInvalida(f"data_fim ({data_fim.isoformat()}) anterior a data_inicio ({data_inicio.isoformat()})")
    if ordenacao not in ("asc", "desc"):
        raise EntradaInvalida(f"ordenação desconhecida: {ecoar(ordenacao)} (use asc ou desc)")
    return _url(
        api_url,
        "/pauta-usuarios-externos",
        [
            ("dataInicio", data_inicio.isoformat()),
            ("dataFim", data_fim.isoformat()),
            ("codigoSituacao", situacao.value),
            ("numeroPagina", _pagina(pagina)),
            ("tamanhoPagina", TAMANHO_PAGINA),
            ("ordenacao", ordenacao),
        ],
    )


def page_url(url: str, pagina: int) -> str:
    """The same request for another page (``pagina`` or ``numeroPagina``, whichever the URL has)."""
    parts = urlsplit(url)
    params = parse_qsl(parts.query, keep_blank_values=True)
    key = "numeroPagina" if any(k == "numeroPagina" for k, _ in params) else "pagina"
    if not any(k == key for k, _ in params):
        raise EntradaInvalida(f"URL sem parâmetro de página: {parts.path}")
    replaced = [(k, str(_pagina(pagina)) if k == key else v) for k, v in params]
    return parts._replace(query=urlencode(replaced)).geturl()


#: Query parameter names masked in the raw log, should a URL ever carry one.
_SECRET_PARAMS = ("token", "senha", "password", "otp", "cookie", "secret", "jwt", "session")


def describe_request(url: str) -> dict[str, Any]:
    """What the raw log keeps of a request: its path and query parameters, secret-looking ones masked."""
    parts = urlsplit(url)
    params = {
        key: "***" if any(word in key.lower() for word in _SECRET_PARAMS) else value
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
    }
    return {"path": parts.path, "params": params}


@dataclasses.dataclass(frozen=True, slots=True)
class Envelope:
    """PJE's paged answer, with ``qtdPaginas`` already corrected (see :func:`total_paginas`)."""

    pagina: int
    tamanho_pagina: int
    qtd_paginas: int
    total_registros: int | None
    resultado: list[dict[str, Any]]


def _int(payload: Mapping[str, Any], key: str, default: int | None = None) -> int | None:
    value = payload.get(key, default)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise RespostaInvalida(f"campo {key!r} do envelope não é um número")
    try:
        return int(value)
    except ValueError:
        raise RespostaInvalida(f"campo {key!r} do envelope não é um número") from None


def read_envelope(payload: Any) -> Envelope:
    """Read a paged answer; raise :class:`RespostaInvalida` if it is not PJE's envelope.

    ``qtdPaginas`` 0 (or missing) with a non-empty ``resultado`` means one page.
    """
    if not isinstance(payload, Mapping):
        raise RespostaInvalida(f"resposta paginada esperada, recebido {type(payload).__name__}")
    resultado = payload.get("resultado")
    if resultado is None:
        resultado = []
    if not isinstance(resultado, list) or not all(type(row) is dict or isinstance(row, Mapping) for row in resultado):
        raise RespostaInvalida("campo 'resultado' da resposta não é uma lista de objetos")
    qtd = _int(payload, "qtdPaginas", 0) or 0
    if qtd < 1 and resultado:
        qtd = 1
    return Envelope(
        pagina=_int(payload, "pagina", 1) or 1,
        tamanho_pagina=_int(payload, "tamanhoPagina", TAMANHO_PAGINA) or TAMANHO_PAGINA,
        qtd_paginas=max(qtd, 0),
        total_registros=_int(payload, "totalRegistros"),
        resultado=[row if type(row) is dict else dict(row) for row in resultado],
    )


def total_paginas(envelope: Envelope) -> int:
    """How many pages the listing has (already corrected for the ``qtdPaginas`` 0 quirk)."""
    return envelope.qtd_paginas


#: No lawyer's listing has more pages than this (200,000 rows at 100 a page): a larger ``qtdPaginas`` is a lie.
MAX_PAGINAS = 2_000


def limite_paginas(primeira: Envelope, *, contador: int | None = None) -> int:
    """The most pages the listing can have, from what page 1 and the counters say, and :data:`MAX_PAGINAS`.

    A listing of ``N`` rows at ``len(resultado)`` rows a page (page 1 is full when there are others) has at
    most ``ceil(N / len(resultado))`` pages; ``N`` is ``totalRegistros`` and, when known, the tribunal's own
    counter (``totalizadores``), plus one page of slack for rows added while the crawl runs.
    """
    limite = MAX_PAGINAS
    por_pagina = max(len(primeira.resultado), 1)
    for total in (primeira.total_registros, contador):
        if total is not None and total >= 0:
            limite = min(limite, -(-total // por_pagina) + 1)
    return max(limite, 1)


def ultima_pagina(primeira: Envelope, *, contador: int | None = None) -> int:
    """The listing's last page, as page 1 says (``qtdPaginas``, the 0 quirk corrected).

    Raises :class:`RespostaInvalida` when ``qtdPaginas`` passes :func:`limite_paginas`: an absurd page count
    ends that credential at once instead of following millions of pages.
    """
    limite = limite_paginas(primeira, contador=contador)
    if primeira.qtd_paginas > limite:
        raise RespostaInvalida(
            f"o tribunal declarou {primeira.qtd_paginas} páginas (qtdPaginas), mais do que os totais permitem "
            f"({limite}); a listagem não foi seguida"
        )
    return primeira.qtd_paginas


def proximas_paginas(primeira: Envelope, *, contador: int | None = None) -> range:
    """Every page number after the first (checked by :func:`ultima_pagina`); the captures ask them in a window."""
    return range(2, ultima_pagina(primeira, contador=contador) + 1)


def read_totalizadores(payload: Any) -> dict[int, int]:
    """``idAgrupamentoProcessoTarefa`` -> ``quantidadeProcessos`` from the totalizadores answer."""
    if not isinstance(payload, list):
        raise RespostaInvalida("totalizadores: lista esperada")
    out: dict[int, int] = {}
    for row in payload:
        if not isinstance(row, Mapping):
            raise RespostaInvalida("totalizadores: item não é um objeto")
        agrupamento = _int(row, "idAgrupamentoProcessoTarefa")
        quantidade = _int(row, "quantidadeProcessos")
        if agrupamento is None or quantidade is None:
            raise RespostaInvalida("totalizadores: item sem idAgrupamentoProcessoTarefa ou quantidadeProcessos")
        out[agrupamento] = quantidade
    return out


def check_acervo(capturados: int, totalizador: int) -> None:
    """The acervo must hold exactly as many cases as its counter (agrupamento 1)."""
    if capturados != totalizador:
        raise TotalizadorDivergente(
            f"Quantidade de processos ({capturados}) não condiz com totalizador ({totalizador})",
            capturados=capturados,
            totalizador=totalizador,
        )


def check_pendentes(capturados: int, totalizador: int) -> None:
    """Pendentes rows (N and I together) may be fewer than counter 2, never more."""
    if capturados > totalizador:
        raise TotalizadorDivergente(
            f"Quantidade de expedientes ({capturados}) excede o totalizador ({totalizador})",
            capturados=capturados,
            totalizador=totalizador,
        )


#: The panel agrupamento whose counter checks each capture type (none for audiências).
AGRUPAMENTO_POR_TIPO: dict[TipoCaptura, AgrupamentoPainel] = {
    TipoCaptura.ACERVO_GERAL: AgrupamentoPainel.ACERVO_GERAL,
    TipoCaptura.ARQUIVADOS: AgrupamentoPainel.ARQUIVADOS,
    TipoCaptura.PENDENTES: AgrupamentoPainel.PENDENTES,
}
