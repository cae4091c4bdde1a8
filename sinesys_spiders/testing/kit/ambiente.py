"""The kit's working environment: a database, lawyers and credentials pointed at a simulator, and crawls.

:class:`AmbienteKit` runs captures the way operators do: ``python -m scrapy crawl <tipo> -a credenciais=...`` in
a subprocess, with ``SCRAPY_SETTINGS_MODULE=sinesys_spiders.settings`` (so a plugin's project needs no
``scrapy.cfg``) and ``SINESYS_DATABASE_URL``, ``SINESYS_SECRET_KEY`` and ``SINESYS_VAR_DIR`` of its own. It then
reads back what the crawl left: the history row, the stored rows, the raw log (decrypted) and the stored sessions.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pyotp
from sqlalchemy import func, select

from sinesys_spiders.core.credenciais import CredenciaisService
from sinesys_spiders.core.credenciais_input import NovaCredencial
from sinesys_spiders.core.crypto import Cipher, generate_key
from sinesys_spiders.core.db.engine import make_engine, make_session_factory, session_scope
from sinesys_spiders.core.db.models import CapturaLog, CapturaLogBruto
from sinesys_spiders.core.db.repositories.advogados import AdvogadosRepository
from sinesys_spiders.core.db.repositories.tribunais_config import TribunaisConfigRepository
from sinesys_spiders.core.historico import CapturaResumo, HistoricoService
from sinesys_spiders.core.rawlog.sql import SqlRawLogStore
from sinesys_spiders.core.totp import parse_totp
from sinesys_spiders.testing.comandos import env_de_comando
from sinesys_spiders.testing.registros import db_registros

__all__ = ["AmbienteKit", "Crawl", "senha_errada", "totp_errado"]


@dataclasses.dataclass
class Crawl:
    """One finished ``scrapy crawl``: exit status, output, and the history row it opened."""

    tipo: str
    returncode: int
    stdout: str
    stderr: str
    captura_id: int | None
    output: Path
    segundos: float = 0.0

    def itens(self) -> list[dict[str, Any]]:
        """The items the crawl exported (``-O output.jsonl``), one JSON object a line."""
        if not self.output.exists():
            return []
        return [json.loads(line) for line in self.output.read_text(encoding="utf-8").splitlines() if line.strip()]


def senha_errada(senha: str) -> str:
    """A password that is not ``senha``."""
    return senha + "-errada"


def totp_errado(totp_secret: str) -> str:
    """A TOTP secret with the same period and digits as ``totp_secret`` but another key: every code is refused."""
    spec = parse_totp(totp_secret)
    outro = dataclasses.replace(spec, secret=pyotp.random_base32(length=32))
    return outro.text()


def _cpf(n: int) -> str:
    """A valid CPF for the ``n``-th lawyer whose login is not a CPF."""
    digits = [int(d) for d in f"{900_000_000 + n:09d}"]
    for size in (9, 10):
        digits.append((sum(d * (size + 1 - i) for i, d in enumerate(digits)) * 10 % 11) % 10)
    return "".join(map(str, digits))


class AmbienteKit:
    """A database of the kit's own, the commands an operator runs on it, and what they stored."""

    def __init__(self, *, database_url: str, workdir: Path, extra_env: Mapping[str, str] | None = None) -> None:
        self.database_url = database_url
        self.workdir = workdir
        self.secret_key = generate_key()
        self.cipher = Cipher.from_text(self.secret_key)
        self.engine = make_engine(database_url)
        self.factory = make_session_factory(self.engine)
        self.service = CredenciaisService(self.factory, self.cipher, cache_ttl=0)
        self.extra_env = dict(extra_env or {})
        self._advogados: dict[str, int] = {}
        (workdir / "var").mkdir(parents=True, exist_ok=True)
        self._n = 0

    def close(self) -> None:
        self.engine.dispose()

    # -- set-up ----------------------------------------------------------------------------------

    def apontar(self, tribunal: str, grau: str, *, base_url: str, sso_url: str | None = None) -> None:
        """Point ``tribunal`` ``grau`` at the simulator (``sinesys tribunais set-url``)."""
        with session_scope(factory=self.factory) as session:
            TribunaisConfigRepository(session).set_override(
                tribunal=tribunal, grau=grau, base_url=base_url, sso_url=sso_url
            )

    def credencial(
        self, *, usuario: str, senha: str, totp_secret: str, tribunal: str, grau: str, nome: str = "Advogada Kit"
    ) -> int:
        """A lawyer (one per login) and a credential at ``tribunal`` ``grau``."""
        if usuario not in self._advogados:
            with session_scope(factory=self.factory) as session:
                cpf = usuario if usuario.isdigit() and len(usuario) == 11 else _cpf(len(self._advogados) + 1)
                self._advogados[usuario] = AdvogadosRepository(session).add(nome_completo=nome, cpf=cpf).id
        return self.service.add(
            NovaCredencial.from_values(
                advogado_id=self._advogados[usuario],
                tribunal=tribunal,
                grau=grau,
                senha=senha,
                usuario=usuario,
                totp_secret=totp_secret,
            )
        )

    # -- commands --------------------------------------------------------------------------------

    @property
    def env(self) -> dict[str, str]:
        return env_de_comando(
            database_url=self.database_url,
            var_dir=self.workdir / "var",
            secret_key=self.secret_key,
            extra={"SCRAPY_SETTINGS_MODULE": "sinesys_spiders.settings", **self.extra_env},
        )

    def crawl(self, tipo: str, credenciais: Sequence[int], *args: str, timeout: float = 600) -> Crawl:
        """``scrapy crawl tipo -a credenciais=... [-a k=v ...] -O itens.jsonl`` in the kit's folder."""
        self._n += 1
        output = self.workdir / f"crawl-{self._n}-{tipo}.jsonl"
        argv = [sys.executable, "-m", "scrapy", "crawl", tipo, "-a", "credenciais=" + ",".join(map(str, credenciais))]
        for arg in args:
            argv += ["-a", arg]
        argv += ["-O", str(output)]
        before = self._ultima_captura()
        inicio = time.monotonic()
        result = subprocess.run(
            argv, cwd=self.workdir, env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )
        after = self._ultima_captura()
        output.with_suffix(".log").write_text(result.stderr, encoding="utf-8")  # for the author, on a failure
        return Crawl(
            tipo,
            result.returncode,
            result.stdout,
            result.stderr,
            after if after != before else None,
            output,
            segundos=time.monotonic() - inicio,
        )

    def _ultima_captura(self) -> int | None:
        with self.factory() as session:
            return session.scalar(select(func.max(CapturaLog.id)))

    # -- what was stored -------------------------------------------------------------------------

    def resumo(self, captura_id: int) -> CapturaResumo:
        return HistoricoService(self.factory).get(captura_id)

    def registros(self) -> dict[str, dict[tuple[Any, ...], dict[str, Any]]]:
        """The stored list-capture rows (``acervo``, ``expedientes``, ``audiencias``) by natural key."""
        return db_registros(self.factory)

    def paginas_de(self, captura_id: int, credencial_id: int) -> int:
        """How many raw pages a capture stored for one credential."""
        with self.factory() as session:
            query = select(func.count()).where(
                CapturaLogBruto.captura_log_id == captura_id, CapturaLogBruto.credencial_id == credencial_id
            )
            return int(session.scalar(query.select_from(CapturaLogBruto)) or 0)

    def payloads_brutos(self) -> list[str]:
        """Every raw-log entry (request and decrypted payload) as JSON text."""
        store = SqlRawLogStore(self.factory, cipher=self.cipher)
        with self.factory() as session:
            ids = list(session.scalars(select(CapturaLogBruto.raw_log_id)))
        out = []
        for raw_log_id in ids:
            registro = store.get(raw_log_id)
            if registro is not None:
                out.append(json.dumps([registro.requisicao, registro.payload_bruto, registro.erro], default=str))
        return out

    def cookies_de_sessao(self) -> list[str]:
        """The values of every stored session's cookies (they must never reach a log or the raw log)."""
        from sinesys_spiders.core.sessions.sql import SqlSessionStore

        store = SqlSessionStore(self.factory, self.cipher)
        valores: list[str] = []
        for credencial in self.service.list():
            sessao = store.get(credencial.id)
            if sessao is not None:
                valores += [str(c.get("value")) for c in sessao.cookies if len(str(c.get("value", ""))) >= 8]
        return valores
