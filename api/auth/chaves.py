"""Service API keys (header ``x-service-api-key``), made and managed with ``sinesys api-keys``.

A key reads ``snk_<prefixo>_<segredo>``: ``snk_`` makes a leaked key recognisable (secret scanners),
``prefixo`` (48 random bits, public) finds its row, ``segredo`` carries 256 random bits. Only the SHA-256
digest of the whole key is stored; it is compared in constant time. The key is shown once, when made.
``ultimo_uso_em`` is written at most once a minute per key, so a busy client costs no write per request.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from api.auth.escopos import Escopo, parse_escopos
from sinesys_spiders.core.db.models import ChaveApi
from sinesys_spiders.core.errors import EntradaInvalida, NaoEncontrado
from sinesys_spiders.core.timeutil import utcnow

__all__ = ["PREFIXO_CHAVE", "ChaveResumo", "ChavesService", "digest"]

PREFIXO_CHAVE = "snk_"
_FORMATO = re.compile(r"^snk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
_NOME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,99}$")
_USO_MINIMO = dt.timedelta(seconds=60)
_DUMMY = hashlib.sha256(b"sinesys: no such key").hexdigest()


def digest(texto: str) -> str:
    """SHA-256 (hex) of a key or session token."""
    return hashlib.sha256(texto.encode("utf-8")).hexdigest()


@dataclasses.dataclass(frozen=True, slots=True)
class ChaveResumo:
    """A key as listed: never its digest."""

    id: int
    nome: str
    prefixo: str
    escopos: list[str]
    criada_em: dt.datetime
    expira_em: dt.datetime | None
    revogada_em: dt.datetime | None
    ultimo_uso_em: dt.datetime | None

    @property
    def escopos_enum(self) -> frozenset[Escopo]:
        return frozenset(Escopo.parse(e) for e in self.escopos)

    def estado(self, agora: dt.datetime | None = None) -> str:
        if self.revogada_em is not None:
            return "revogada"
        if self.expira_em is not None and self.expira_em <= (agora or utcnow()):
            return "expirada"
        return "ativa"


def _resumo(row: ChaveApi) -> ChaveResumo:
    return ChaveResumo(
        id=row.id,
        nome=row.nome,
        prefixo=f"{PREFIXO_CHAVE}{row.prefixo}",
        escopos=list(row.escopos),
        criada_em=row.criada_em,
        expira_em=row.expira_em,
        revogada_em=row.revogada_em,
        ultimo_uso_em=row.ultimo_uso_em,
    )


class ChavesService:
    """Create, list, revoke and verify service keys; each call is its own short transaction."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._factory = session_factory

    def criar(
        self, nome: str, escopos: str | Iterable[str], *, expira_em_dias: int | None = None
    ) -> tuple[ChaveResumo, str]:
        """A new key: its listing row and the key itself (show it once; it cannot be read back)."""
        nome = (nome or "").strip()
        if not _NOME.match(nome):
            raise EntradaInvalida("nome: use 1 a 100 letras, dígitos, espaço, ponto, hífen ou sublinhado")
        try:
            nomes = parse_escopos(escopos)
        except ValueError as exc:
            raise EntradaInvalida(f"escopos: {exc}") from None
        if expira_em_dias is not None and expira_em_dias < 1:
            raise EntradaInvalida("expira-em: informe um número de dias maior que zero")
        prefixo = secrets.token_hex(6)
        chave = f"{PREFIXO_CHAVE}{prefixo}_{secrets.token_urlsafe(32)}"
        agora = utcnow()
        expira = agora + dt.timedelta(days=expira_em_dias) if expira_em_dias else None
        try:
            with self._factory.begin() as session:
                if session.scalars(select(ChaveApi.id).where(ChaveApi.nome == nome)).first() is not None:
                    raise EntradaInvalida(f"já existe uma chave chamada {nome!r}; revogue-a ou use outro nome")
                row = ChaveApi(
                    nome=nome, prefixo=prefixo, digest=digest(chave), escopos=nomes, criada_em=agora, expira_em=expira
                )
                session.add(row)
                session.flush()
                return _resumo(row), chave
        except IntegrityError:
            raise EntradaInvalida(f"já existe uma chave chamada {nome!r}") from None

    def listar(self) -> list[ChaveResumo]:
        with self._factory() as session:
            return [_resumo(row) for row in session.scalars(select(ChaveApi).order_by(ChaveApi.id))]

    def revogar(self, nome_ou_id: str) -> ChaveResumo:
        """Revoke a key by name, id or prefix; ``NaoEncontrado`` when none matches."""
        texto = nome_ou_id.strip()
        with self._factory.begin() as session:
            query = select(ChaveApi)
            if texto.isdigit():
                query = query.where(ChaveApi.id == int(texto))
            elif texto.startswith(PREFIXO_CHAVE):
                query = query.where(ChaveApi.prefixo == texto[len(PREFIXO_CHAVE) :].split("_")[0])
            else:
                query = query.where(ChaveApi.nome == texto)
            row = session.scalars(query).first()
            if row is None:
                raise NaoEncontrado(f"chave {texto!r} não encontrada")
            if row.revogada_em is None:
                row.revogada_em = utcnow()
            return _resumo(row)

    def verificar(self, chave: str) -> ChaveResumo | None:
        """The key's row when ``chave`` is a valid, unrevoked, unexpired key; ``None`` otherwise."""
        match = _FORMATO.match(chave or "")
        prefixo = match.group(1) if match else ""
        agora = utcnow()
        with self._factory() as session:
            row = session.scalars(select(ChaveApi).where(ChaveApi.prefixo == prefixo)).first() if match else None
            esperado = row.digest if row is not None else _DUMMY
            if not hmac.compare_digest(esperado, digest(chave or "")) or row is None:
                return None
            resumo = _resumo(row)
            if resumo.estado(agora) != "ativa":
                return None
            if row.ultimo_uso_em is None or row.ultimo_uso_em < agora - _USO_MINIMO:
                session.execute(update(ChaveApi).where(ChaveApi.id == row.id).values(ultimo_uso_em=agora))
                session.commit()
            return resumo
