"""The simulated PJE-TRT's data: a deterministic world of lawyers, cases, hearings and deadlines.

``World.generate(seed=42, scale="small", users=2)`` is cheap: each lawyer's carteira in a tribunal and grau is
built on first use from ``(seed, tribunal, grau, lawyer)`` alone, and each case's parties and timeline only when
asked, so the same question always gets the same answer. The server (``app.py``) paginates the rows returned here;
they are PJE JSON exactly as the real API returns them (pje-api.md §3), quirks included: names right-padded with
spaces, zone-less timestamps with 0 to 6 fraction digits, one pendentes row per expediente (a case id repeats),
``partes`` as ``{ATIVO, PASSIVO, TERCEIROS}`` or, at TRT2 and TRT15, a plain array, and ``None`` (the endpoint's
404) for cases without parties.

Scales (per lawyer, tribunal and grau; the first user is the firm's main lawyer, the others get ``small``):

- ``tiny``: 2–5 active, 1–3 archived, 2–4 pendentes, a few hearings, in every tribunal and grau;
- ``small``: tens of cases everywhere;
- ``firm``: pje-api.md §8: TRT3 1º grau ~1,200 active, ~8,800 archived, 46–107 pendentes, 19–51 hearings a year;
  TRT1 215, TRT4 79, TRT5 209, TRT7 239 active; small TRTs 0–20 cases and 0–4 pendentes; 2º grau and TST some;
- ``large``: ≥ 50,000 cases, of which 12,000+ active at TRT3 1º grau.

Identifiers follow pje-api.md §8 and carry valid check digits: CNJ numbers (J=5, TR = region, 00 at the TST),
CPFs, CNPJs; case ids 4×10⁵–3×10⁶ (1º grau) and 7–8×10⁵ (2º grau), document ids from 1.3×10⁸, hearing ids from
6×10⁵, party ids from 1.5×10⁷, lawyer ids of 5 digits (ranges widen only when many users need more room). Each id
is a permutation of an entity's slot, so it can be computed and inverted without building anything else.

Ground truth (``truth()``, ``write_truth_file``), the normalized form a correct capture stores: snake_case keys,
strings trimmed, datetimes ISO 8601 aware in UTC (PJE's zone-less times read as America/Sao_Paulo)::

    {"schema": 1, "seed": 42, "scale": "small", "today": "2026-11-24", "steps": 0,
     "tribunais": {"TRT3": {"primeiro_grau": {"<cpf>": {
        "id_advogado": 12345, "nome": "...",
        "totalizadores": {"acervo_geral": n1, "pendentes": n2, "arquivados": n5},
        "acervo_geral": [processo, ...],            # agrupamento 1
        "arquivados":   [processo, ...],            # agrupamento 5
        "pendentes": {"no_prazo": [pendente, ...], "sem_prazo": [pendente, ...]},   # N / I
        "audiencias": {"designada": [...], "cancelada": [...], "realizada": [...]}, # M / C / F, every date
        "partes":   [partes_do_processo, ...],      # only when asked with tipo="partes"
        "timeline": [timeline_do_processo, ...],    # only when asked with tipo="timeline"
     }}}}}

- ``processo``: natural key (``id_externo``, ``tribunal``, ``grau``, ``numero_processo``) and every Processo field in
  snake_case: ``numero, descricao_orgao_julgador, classe_judicial, segredo_de_justica, codigo_status_processo,
  prioridade_processual, nome_parte_autora, qtde_parte_autora, nome_parte_re, qtde_parte_re, data_autuacao,
  juizo_digital, data_arquivamento, data_proxima_audiencia, tem_associacao``.
- ``pendente``: a processo plus ``id_documento`` (part of its key), ``data_ciencia_parte, data_prazo_legal_parte,
  data_criacao_expediente, prazo_vencido, sigla_orgao_julgador`` and, out of the 1º grau,
  ``descricao_orgao_julgador_colegiado, nome_relator``.
- ``audiencia``: ``id_externo, tribunal, grau, numero_processo, id_processo, data_inicio, data_fim, hora_inicio,
  hora_fim, status (M|C|F), status_descricao, designada, em_andamento, documento_ativo, sala_audiencia_id,
  sala_audiencia_nome, tipo_audiencia, tipo_is_virtual, modalidade (virtual|presencial), url_audiencia_virtual,
  orgao_julgador_id, orgao_julgador_descricao, classe_judicial_id, classe_judicial, polo_ativo_nome,
  polo_passivo_nome``.
- ``partes_do_processo``: ``id_processo, numero_processo, tribunal, grau, sem_partes`` (the endpoint's 404) and
  ``partes``: ``[{id_externo, id_pessoa, nome, tipo_pessoa (pf|pj), cpf, cnpj (digits), polo, tipo, id_tipo_parte,
  principal, ordem, classificacao (cliente|parte_contraria|terceiro, pje-api.md §5, relative to this lawyer),
  emails, endereco {id_externo, logradouro, numero, complemento, bairro, municipio, municipio_ibge, estado_sigla,
  pais_codigo, cep} | null, representantes [{same person fields, oabs [{numero, uf}], situacao_oab}]}]``.
- ``timeline_do_processo``: ``id_processo, numero_processo, tribunal, grau, total_documentos, total_movimentos,
  documentos_baixaveis`` (ids of signed, non-secret documents) and ``itens`` (newest first: ``id_externo, titulo,
  data, documento, documento_sigiloso, id_signatario``).

``advance(steps=n)`` moves the world ``n`` days on (see :mod:`._advance`); ``truth()`` and every endpoint follow.
It returns ``{"steps", "de", "ate"}`` plus one list per kind of change: ``novos_processos, novos_movimentos,
novos_documentos, novos_expedientes, expedientes_encerrados, arquivados, audiencias_redesignadas,
audiencias_canceladas, audiencias_realizadas, prazos_vencidos``; each entry is ``{step, tribunal, grau, cpf,
id_processo, numero_processo}`` plus ``id`` (timeline item), ``id_documento`` (expediente), ``id_audiencia``
(with ``de``/``para`` when rescheduled) or ``data_arquivamento``. Nothing changes that is not listed there.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import json
import os
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

from plugins.pje_trt.sandbox import _render, _truth
from plugins.pje_trt.sandbox._advance import aplicar_step
from plugins.pje_trt.sandbox._carteira import (
    AUDIENCIAS_POR_CARTEIRA,
    ITENS_POR_CASO,
    PARTES_POR_CASO,
    Carteira,
    Caso,
    Contexto,
    gerar_carteira,
)
from plugins.pje_trt.sandbox._data import UF_POR_REGIAO
from plugins.pje_trt.sandbox._gen_docs import IdPermutation, derive_rng
from plugins.pje_trt.sandbox._gen_orgaos import Orgao, gerar_empresas, gerar_orgaos
from plugins.pje_trt.sandbox._gen_partes import PARTES_EM_LISTA, Advogado, advogados_do_tribunal, gerar_partes
from plugins.pje_trt.sandbox._gen_timeline import documento_conteudo, documento_metadata, timeline_rows
from plugins.pje_trt.sandbox._perfis import CASOS_POR_ADVOGADO
from plugins.pje_trt.sandbox._usuarios import SandboxUser, gerar_usuarios
from plugins.pje_trt.tribunais import TribunalTrt as Tribunal

__all__ = ["SCALES", "TIPOS_TRUTH", "SandboxUser", "World"]

SCALES = ("tiny", "small", "firm", "large")
TIPOS_TRUTH = ("totalizadores", "acervo_geral", "arquivados", "pendentes", "audiencias", "partes", "timeline")
_LISTAS = ("totalizadores", "acervo_geral", "arquivados", "pendentes", "audiencias")
_F = TypeVar("_F", bound=Callable[..., Any])


def _locked(method: _F) -> _F:
    """Run ``method`` under the world's lock: the server calls in from several threads while ``advance`` mutates."""

    @functools.wraps(method)
    def wrapper(self: World, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return method(self, *args, **kwargs)

    return wrapper  # type: ignore[return-value]


@dataclasses.dataclass
class _Lugar:
    """What every carteira of one tribunal and grau shares: órgãos, employers, opposing lawyers, id ranges."""

    orgaos: tuple[Orgao, ...]
    empresas: tuple[tuple[str, str], ...]
    advogados: tuple[Advogado, ...]
    perms: dict[str, IdPermutation]


class World:
    """The sandbox's data. Build it with :meth:`generate`."""

    seed: int
    scale: str
    users: list[SandboxUser]

    def __init__(self, *, seed: int, scale: str, users: list[SandboxUser], tribunais: Sequence[Tribunal],
                 today: dt.date) -> None:  # fmt: skip
        self.seed, self.scale, self.users = seed, scale, users
        self.tribunais = tuple(tribunais)
        self.base_today = today
        self.steps = 0
        self._slots = CASOS_POR_ADVOGADO[scale]
        self._lugares: dict[tuple[str, str], _Lugar] = {}
        self._carteiras: dict[tuple[str, str, int], Carteira] = {}
        self._by_login = {u.cpf: i for i, u in enumerate(users)}
        self._by_advogado = {(t, adv): i for i, u in enumerate(users) for t, adv in u.ids_advogado.items()}
        primeiro = Tribunal.TRT3 if Tribunal.TRT3 in self.tribunais else self.tribunais[0]
        self._forcado = (primeiro.value, primeiro.graus[0].value, 0)
        self._lock = threading.RLock()

    @classmethod
    def generate(cls, *, seed: int, scale: str, users: int = 2, tribunais: Sequence[str] | None = None,
                 today: dt.date | None = None, totp_period: int = 30, totp_digits: int = 6) -> World:  # fmt: skip
        """A world for ``seed`` and ``scale``; ``today`` (default: the real date) anchors every date.

        ``totp_period`` and ``totp_digits`` are the users' TOTP parameters (PJE's 30 s and 6 by default)."""
        if scale not in SCALES:
            raise ValueError(f"escala desconhecida: {scale!r} (use {', '.join(SCALES)})")
        if users < 1:
            raise ValueError(f"users deve ser >= 1 (recebido {users})")
        lista = sorted({Tribunal.parse(t) for t in tribunais} if tribunais else set(Tribunal), key=lambda t: t.ordem)
        if not lista:
            raise ValueError("nenhum tribunal informado")
        hoje = today or dt.date.today()
        usuarios = gerar_usuarios(seed, users, lista, totp_period=totp_period, totp_digits=totp_digits)
        return cls(seed=seed, scale=scale, users=usuarios, tribunais=lista, today=hoje)

    # -- time -------------------------------------------------------------------------------------

    @property
    def today(self) -> dt.date:
        """The world's current date: the generation date plus one day per step."""
        return self.base_today + dt.timedelta(days=self.steps)

    # -- users ------------------------------------------------------------------------------------

    def user_by_login(self, login: str) -> SandboxUser | None:
        i = self._by_login.get(login.strip())
        return None if i is None else self.users[i]

    def user_by_advogado(self, tribunal: str, id_advogado: int) -> SandboxUser | None:
        i = self._by_advogado.get((tribunal, id_advogado))
        return None if i is None else self.users[i]

    # -- lazy construction ------------------------------------------------------------------------

    def _lugar(self, tribunal: str, grau: str) -> _Lugar:
        key = (tribunal, grau)
        lugar = self._lugares.get(key)
        if lugar is None:
            regiao = Tribunal(tribunal).regiao or 0
            n = len(self.users) * self._slots
            base_proc, span_proc = {
                "primeiro_grau": (400_000, 2_600_000),
                "segundo_grau": (700_000, 100_000),
            }.get(grau, (1_000_000, 500_000))
            if n > 9_999_998:
                raise ValueError("usuários demais para números CNJ de 7 dígitos nesta escala")
            rng = derive_rng(self.seed, "ids", tribunal, grau)
            spans = {
                "processo": (base_proc, max(span_proc, n)),
                "numero": (1, 9_999_998),
                "item": (130_000_000, max(120_000_000, n * ITENS_POR_CASO)),
                "parte": (15_000_000, max(5_000_000, n * PARTES_POR_CASO)),
                "audiencia": (600_000, max(4_900_000, len(self.users) * AUDIENCIAS_POR_CARTEIRA)),
            }
            perms = {
                nome: IdPermutation(base, span, offset=rng.randrange(span)) for nome, (base, span) in spans.items()
            }
            uf = UF_POR_REGIAO.get(regiao, "DF")
            lugar = _Lugar(
                orgaos=gerar_orgaos(self.seed, tribunal, grau, regiao),
                empresas=gerar_empresas(self.seed, tribunal),
                advogados=advogados_do_tribunal(self.seed, tribunal, uf),
                perms=perms,
            )
            self._lugares[key] = lugar
        return lugar

    def _check(self, tribunal: str, grau: str) -> None:
        t = Tribunal.parse(tribunal)
        if t not in self.tribunais:
            raise KeyError(f"tribunal não servido: {tribunal}")
        if grau not in {g.value for g in t.graus}:
            raise KeyError(f"{tribunal} não tem {grau}")

    def _carteira(self, tribunal: str, grau: str, u: int) -> Carteira:
        key = (tribunal, grau, u)
        carteira = self._carteiras.get(key)
        if carteira is None:
            self._check(tribunal, grau)
            lugar = self._lugar(tribunal, grau)
            regiao = Tribunal(tribunal).regiao or 0
            ctx = Contexto(
                seed=self.seed, scale=self.scale, tribunal=tribunal, grau=grau, user_index=u, hoje=self.base_today,
                regiao=regiao, uf=UF_POR_REGIAO.get(regiao, "DF"), orgaos=lugar.orgaos, empresas=lugar.empresas,
                perm_processo=lugar.perms["processo"], perm_numero=lugar.perms["numero"],
                perm_item=lugar.perms["item"], perm_parte=lugar.perms["parte"],
                perm_audiencia=lugar.perms["audiencia"], slots=self._slots,
            )  # fmt: skip
            carteira = gerar_carteira(ctx)
            for step in range(1, self.steps + 1):
                aplicar_step(carteira, step, forcar=key == self._forcado)
            self._carteiras[key] = carteira
        return carteira

    def _carteiras_de(self, tribunal: str, grau: str, id_advogado: int) -> Carteira | None:
        user = self._by_advogado.get((tribunal, id_advogado))
        return None if user is None else self._carteira(tribunal, grau, user)

    def _chaves(self) -> Iterator[tuple[str, str, int]]:
        for t in self.tribunais:
            for g in t.graus:
                for u in range(len(self.users)):
                    yield t.value, g.value, u

    @_locked
    def materialize(self) -> int:
        """Build every carteira now (benchmarks, ``advance``); returns the number of cases."""
        return sum(len(self._carteira(*key).casos) for key in self._chaves())

    def _locate(self, tribunal: str, grau: str, id_processo: int) -> tuple[Carteira, Caso, int] | None:
        try:
            self._check(tribunal, grau)
        except KeyError:
            return None
        slot = self._lugar(tribunal, grau).perms["processo"].slot(id_processo)
        if slot is None:
            return None
        u, idx = divmod(slot, self._slots)
        if u >= len(self.users):
            return None
        carteira = self._carteira(tribunal, grau, u)
        if idx >= len(carteira.casos):
            return None
        return carteira, carteira.casos[idx], u

    # -- PJE JSON ---------------------------------------------------------------------------------

    @_locked
    def totalizadores(self, tribunal: str, grau: str, id_advogado: int) -> list[dict[str, Any]]:
        carteira = self._carteiras_de(tribunal, grau, id_advogado)
        if carteira is None:
            return _render.totalizadores(0, 0, 0)
        ativos = sum(1 for c in carteira.casos if c.arquivamento is None)
        return _render.totalizadores(ativos, len(carteira.expedientes), len(carteira.casos) - ativos)

    @_locked
    def painel(self, tribunal: str, grau: str, id_advogado: int, agrupamento: int,
               agrupador_expediente: str | None = None) -> list[dict[str, Any]]:  # fmt: skip
        """Rows of agrupamento 1 (acervo), 2 (pendentes, ``N``/``I``; both when ``None``) or 5 (arquivados)."""
        carteira = self._carteiras_de(tribunal, grau, id_advogado)
        if carteira is None:
            return []
        if agrupamento == 1:
            casos = sorted(carteira.ativos(), key=lambda c: (c.autuacao[0], c.id), reverse=True)
            return [_render.processo_row(c) for c in casos]
        if agrupamento == 5:
            casos = sorted(carteira.arquivados(), key=lambda c: (c.arquivamento[0], c.id), reverse=True)  # type: ignore[index]
            return [_render.processo_row(c) for c in casos]
        if agrupamento == 2:
            grupos = ("N", "I") if agrupador_expediente is None else (agrupador_expediente,)
            exps = [e for e in carteira.expedientes if e.agrupador in grupos]
            exps.sort(key=lambda e: (e.criacao[0], e.id_documento), reverse=True)
            return [_render.pendente_row(carteira, e, self.today) for e in exps]
        return []

    @_locked
    def pauta(self, tribunal: str, grau: str, id_advogado: int, data_inicio: dt.date, data_fim: dt.date,
              codigo_situacao: str) -> list[dict[str, Any]]:  # fmt: skip
        """Hearings whose day lies in ``[data_inicio, data_fim]`` with situação M, C or F, earliest first."""
        carteira = self._carteiras_de(tribunal, grau, id_advogado)
        if carteira is None:
            return []
        auds = [
            a for a in carteira.audiencias if a.status == codigo_situacao and data_inicio <= a.inicio.date() <= data_fim
        ]
        auds.sort(key=lambda a: (a.inicio, a.id))
        return [_render.audiencia_row(carteira, a) for a in auds]

    @_locked
    def processo_visivel(self, tribunal: str, grau: str, id_advogado: int, id_processo: int) -> bool:
        found = self._locate(tribunal, grau, id_processo)
        return found is not None and self._by_advogado.get((tribunal, id_advogado)) == found[2]

    def _advogado(self, u: int, tribunal: str) -> Advogado:
        user = self.users[u]
        return Advogado(user.nome, user.cpf, user.oab)

    def _partes_raw(self, carteira: Carteira, caso: Caso, u: int) -> dict[str, list[dict[str, Any]]] | None:
        lugar = self._lugar(carteira.ctx.tribunal, carteira.ctx.grau)
        return gerar_partes(carteira.ctx, caso, self._advogado(u, carteira.ctx.tribunal), lugar.advogados)

    @_locked
    def partes(self, tribunal: str, grau: str, id_processo: int) -> dict[str, Any] | list[Any] | None:
        """``{ATIVO, PASSIVO, TERCEIROS}`` (a plain array at TRT2 and TRT15); ``None`` -> 404."""
        found = self._locate(tribunal, grau, id_processo)
        if found is None:
            return None
        carteira, caso, u = found
        raw = self._partes_raw(carteira, caso, u)
        if raw is None:
            return None
        if tribunal in PARTES_EM_LISTA:
            return [*raw["ATIVO"], *raw["PASSIVO"], *raw["TERCEIROS"]]
        return raw

    @_locked
    def timeline(self, tribunal: str, grau: str, id_processo: int) -> list[dict[str, Any]] | None:
        found = self._locate(tribunal, grau, id_processo)
        return None if found is None else timeline_rows(found[0], found[1])

    @_locked
    def documento(self, tribunal: str, grau: str, id_processo: int, id_documento: int) -> dict[str, Any] | None:
        found = self._locate(tribunal, grau, id_processo)
        return None if found is None else documento_metadata(found[0], found[1], id_documento)

    @_locked
    def documento_conteudo(self, tribunal: str, grau: str, id_processo: int, id_documento: int) -> bytes | None:
        found = self._locate(tribunal, grau, id_processo)
        return None if found is None else documento_conteudo(found[0], found[1], id_documento)

    # -- time passes ------------------------------------------------------------------------------

    @_locked
    def advance(self, *, steps: int = 1) -> dict[str, Any]:
        """Move the world ``steps`` days on; returns what changed, per kind, with the ids involved."""
        if steps < 1:
            raise ValueError(f"steps deve ser >= 1 (recebido {steps})")
        self.materialize()
        kinds = {
            "novo_processo": "novos_processos",
            "novo_movimento": "novos_movimentos",
            "novo_documento": "novos_documentos",
            "arquivado": "arquivados",
            "audiencia_redesignada": "audiencias_redesignadas",
            "audiencia_cancelada": "audiencias_canceladas",
            "audiencia_realizada": "audiencias_realizadas",
            "prazo_vencido": "prazos_vencidos",
            "novo_expediente": "novos_expedientes",
            "expediente_encerrado": "expedientes_encerrados",
        }
        summary: dict[str, Any] = {"steps": steps, "de": self.today.isoformat()}
        summary.update({k: [] for k in kinds.values()})
        for _ in range(steps):
            step = self.steps + 1
            for key in self._chaves():
                tribunal, grau, u = key
                for ev in aplicar_step(self._carteira(*key), step, forcar=key == self._forcado):
                    tipo = ev.pop("tipo")
                    summary[kinds[tipo]].append({"step": step, "tribunal": tribunal, "grau": grau,
                                                 "cpf": self.users[u].cpf, **ev})  # fmt: skip
            self.steps = step
        summary["ate"] = self.today.isoformat()
        return summary

    # -- ground truth -----------------------------------------------------------------------------

    @_locked
    def truth(self, *, tribunal: str | None = None, grau: str | None = None, cpf: str | None = None,
              tipo: str | None = None, id_processo: int | None = None) -> dict[str, Any]:  # fmt: skip
        """The ground truth, or a slice of it (see the module docstring).

        Without ``tipo`` the list captures and counters; ``tipo="partes"`` or ``"timeline"`` adds the per-case
        parts (build them for one lawyer, or one ``id_processo``, on large worlds).
        """
        if tipo is not None and tipo not in TIPOS_TRUTH:
            raise ValueError(f"tipo desconhecido: {tipo!r} (use {', '.join(TIPOS_TRUTH)})")
        tribunais = self.tribunais
        if tribunal is not None:
            t = Tribunal.parse(tribunal)
            if t not in self.tribunais:
                raise ValueError(f"tribunal não servido: {tribunal}")
            tribunais = (t,)
        users = range(len(self.users))
        if cpf is not None:
            i = self._by_login.get(re.sub(r"\D", "", cpf))
            if i is None:
                raise ValueError("cpf de nenhum usuário do sandbox")
            users = range(i, i + 1)
        tipos = (tipo,) if tipo else _LISTAS
        out: dict[str, Any] = {
            "schema": 1,
            "seed": self.seed,
            "scale": self.scale,
            "today": self.today.isoformat(),
            "steps": self.steps,
            "tribunais": {},
        }
        if grau is not None and grau not in {g.value for t in tribunais for g in t.graus}:
            alvo = tribunal or "nenhum tribunal servido"
            raise ValueError(
                f"grau {grau!r} inválido para {alvo} (use primeiro_grau, segundo_grau ou tribunal_superior)"
            )
        for t in tribunais:
            graus = [g.value for g in t.graus if grau is None or g.value == grau]
            for g in graus:
                for u in users:
                    user = self.users[u]
                    bloco: dict[str, Any] = {"id_advogado": user.ids_advogado[t.value], "nome": user.nome}
                    carteira = self._carteira(t.value, g, u)
                    for tp in tipos:
                        bloco[tp] = _truth.por_tipo(
                            carteira,
                            tp,
                            cpf=user.cpf,
                            hoje=self.today,
                            id_processo=id_processo,
                            partes=functools.partial(self._partes_raw, carteira, u=u),
                        )
                    out["tribunais"].setdefault(t.value, {}).setdefault(g, {})[user.cpf] = bloco
        return out

    # -- files ------------------------------------------------------------------------------------

    def write_users_file(self, path: str | os.PathLike[str], base_urls: dict[str, Any]) -> None:
        """The demo users with their secrets (file mode 0600) and the URLs the sandbox serves."""
        data = {
            "seed": self.seed,
            "scale": self.scale,
            "today": self.today.isoformat(),
            "tribunais": base_urls,
            "users": [u.as_dict() for u in self.users],
        }
        _write_json(Path(path), data, private=True)

    def write_truth_file(self, path: str | os.PathLike[str]) -> None:
        """The list captures' ground truth of every tribunal, grau and lawyer."""
        _write_json(Path(path), self.truth(), private=False)


def _write_json(path: Path, data: Any, *, private: bool) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if private else 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, default=str)
    if private:
        os.chmod(tmp, 0o600)
    os.replace(tmp, path)
