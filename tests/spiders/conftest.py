"""Fixtures of the end-to-end list-capture tests: a sandbox, a database with credentials, `scrapy crawl` runs.

``CapturaE2E`` holds one database (SQLite or PostgreSQL), the lawyers and credentials registered in it (pointed at
the sandbox) and runs the spiders the way an operator does: ``python -m scrapy crawl <spider> -a ...`` in the
project directory with ``SINESYS_DATABASE_URL``, ``SINESYS_VAR_DIR`` and ``SINESYS_SECRET_KEY`` in the environment.
It also reads back what a correct capture must have stored (the sandbox's ground truth) and what was stored.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from sinesys_spiders.core.credenciais import CredenciaisService
from sinesys_spiders.core.credenciais_input import NovaCredencial
from sinesys_spiders.core.crypto import Cipher, generate_key
from sinesys_spiders.core.db.engine import make_engine, make_session_factory, session_scope
from sinesys_spiders.core.db.models import (
    Audiencia,
    CapturaLog,
    Expediente,
    Processo,
)
from sinesys_spiders.core.db.repositories.advogados import AdvogadosRepository
from sinesys_spiders.core.db.repositories.tribunais_config import TribunaisConfigRepository
from sinesys_spiders.core.domain import Grau, Tribunal
from sinesys_spiders.core.historico import CapturaResumo, HistoricoService
from sinesys_spiders.testing.comandos import env_de_comando
from sinesys_spiders.testing.db_fixtures import CreateDatabase
from sinesys_spiders.testing.registros import db_registros
from sinesys_spiders.testing.sandbox_fixtures import DemoUser, SandboxClient

PROJECT_DIR = Path(__file__).resolve().parents[2]

#: A date range wide enough for every hearing of the sandbox's world.
PAUTA_INICIO, PAUTA_FIM = "2000-01-01", "2100-12-31"
SITUACOES = {"M": "designada", "C": "cancelada", "F": "realizada"}
FILTROS = ("no_prazo", "sem_prazo")

TABELAS = {"acervo": Processo, "expedientes": Expediente, "audiencias": Audiencia}

Chave = tuple[Any, ...]
Registros = dict[str, dict[Chave, dict[str, Any]]]


@dataclasses.dataclass
class Crawl:
    """One finished ``scrapy crawl``: exit status, output and the history row it opened (if any)."""

    spider: str
    returncode: int
    stdout: str
    stderr: str
    captura_id: int | None
    output: Path | None = None

    def exported(self) -> list[dict[str, Any]]:
        """The items of ``-O output``, one JSON object a line."""
        assert self.output is not None
        return [json.loads(line) for line in self.output.read_text(encoding="utf-8").splitlines()]


class CapturaE2E:
    """A database with lawyers and credentials of sandbox users, and the commands an operator runs on it."""

    def __init__(self, *, sandbox: SandboxClient, database_url: str, workdir: Path) -> None:
        self.sandbox = sandbox
        self.database_url = database_url
        self.workdir = workdir
        self.secret_key = generate_key()
        self.engine = make_engine(database_url)
        self.factory: sessionmaker[Session] = make_session_factory(self.engine)
        self.service = CredenciaisService(self.factory, Cipher.from_text(self.secret_key), cache_ttl=0)
        self._advogados: dict[str, int] = {}
        #: More environment for the commands (``SINESYS_REDIS_URL``...).
        self.extra_env: dict[str, str] = {}
        (workdir / "var").mkdir(parents=True, exist_ok=True)

    def close(self) -> None:
        self.engine.dispose()

    # -- set-up ----------------------------------------------------------------------------------

    def advogado(self, user: DemoUser) -> int:
        if user.cpf not in self._advogados:
            with session_scope(factory=self.factory) as session:
                self._advogados[user.cpf] = AdvogadosRepository(session).add(nome_completo=user.nome, cpf=user.cpf).id
        return self._advogados[user.cpf]

    def credencial(self, user: DemoUser, tribunal: str, grau: str, *, senha: str | None = None) -> int:
        """A credential of ``user`` at ``tribunal``/``grau``, that tribunal pointed at the sandbox."""
        advogado_id = self.advogado(user)
        with session_scope(factory=self.factory) as session:
            TribunaisConfigRepository(session).set_override(
                tribunal=tribunal, grau=grau, base_url=self.sandbox.base_url(tribunal), sso_url=self.sandbox.sso_url
            )
        return self.service.add(
            NovaCredencial(
                advogado_id=advogado_id,
                tribunal=Tribunal(tribunal),
                grau=Grau(grau),
                senha=SecretStr(senha if senha is not None else user.senha),
                usuario=user.cpf,
                totp_secret=SecretStr(user.totp_secret),
            )
        )

    # -- commands --------------------------------------------------------------------------------

    @property
    def env(self) -> dict[str, str]:
        return env_de_comando(
            database_url=self.database_url,
            var_dir=self.workdir / "var",
            secret_key=self.secret_key,
            extra=self.extra_env,
        )

    def run(self, *argv: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *argv], cwd=PROJECT_DIR, env=self.env, capture_output=True, text=True,
            timeout=timeout, check=False,
        )  # fmt: skip

    def crawl(self, spider: str, *args: str, output: Path | None = None, check: bool = True) -> Crawl:
        """``scrapy crawl spider -a k=v ...`` (``args`` are ``k=v``); the history row it opened, if any."""
        before = self._last_captura()
        argv = ["-m", "scrapy", "crawl", spider]
        for arg in args:
            argv += ["-a", arg]
        if output is not None:
            argv += ["-O", str(output)]
        result = self.run(*argv)
        after = self._last_captura()
        crawl = Crawl(
            spider, result.returncode, result.stdout, result.stderr, after if after != before else None, output
        )
        if check:
            assert result.returncode == 0, f"{spider}: exit {result.returncode}\n{result.stderr[-4000:]}"
            assert crawl.captura_id is not None, f"{spider} opened no history row\n{result.stderr[-4000:]}"
            self.check_no_secrets(result.stdout + result.stderr)
        return crawl

    def crawl_all(self, credenciais: Sequence[int], *, output_dir: Path | None = None) -> list[Crawl]:
        """The four list captures of ``credenciais`` in a morning run's order (acervo first), hearings of every
        situação over a range that holds them all; with ``output_dir`` each crawl also exports ``-O <n>.jsonl``."""
        ids = "credenciais=" + ",".join(str(c) for c in credenciais)
        runs: list[tuple[str, tuple[str, ...]]] = [("acervo_geral", ()), ("arquivados", ()), ("pendentes", ())]
        runs += [
            ("audiencias", (f"data_inicio={PAUTA_INICIO}", f"data_fim={PAUTA_FIM}", f"situacao={situacao}"))
            for situacao in SITUACOES
        ]
        crawls = []
        for n, (spider, extra) in enumerate(runs):
            output = output_dir / f"{n}-{spider}.jsonl" if output_dir is not None else None
            crawls.append(self.crawl(spider, ids, *extra, output=output))
        return crawls

    def historico_show(self, captura_id: int) -> dict[str, Any]:
        """``sinesys historico show ID --json``, parsed."""
        result = self.run("-c", "from sinesys_spiders.cli import main; main()", "historico", "show", str(captura_id),
                          "--json")  # fmt: skip
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    def resumo(self, captura_id: int) -> CapturaResumo:
        return HistoricoService(self.factory).get(captura_id)

    def check_no_secrets(self, text: str) -> None:
        """No password, TOTP secret or full CPF of any sandbox user in command output."""
        for user in self.sandbox.users:
            for name, value in zip(("senha", "totp_secret", "totp_secret", "cpf"), user.secrets, strict=True):
                assert value not in text, f"{name} of a sandbox user in the crawl output"

    def _last_captura(self) -> int | None:
        with self.factory() as session:
            return session.scalar(select(func.max(CapturaLog.id)))

    # -- what was stored -------------------------------------------------------------------------

    def registros(self) -> Registros:
        """The stored rows in the ground truth's vocabulary (hearings joined with their catalogues)."""
        return db_registros(self.factory)

    def truth(self, user: DemoUser, onde: Sequence[tuple[str, str]]) -> Registros:
        """The sandbox's ground truth for ``user`` at each (tribunal, grau)."""
        return truth_registros(self.sandbox, user, onde)

    def contagens(self) -> dict[str, int]:
        """Rows per table (a duplicate would make these differ from the number of natural keys)."""
        with self.factory() as session:
            return {name: session.scalar(select(func.count()).select_from(m)) or 0 for name, m in TABELAS.items()}

    @staticmethod
    def diferencas(db: Registros, truth: Registros) -> list[Any]:
        """Every record missing, extra, or with a field differing from the truth (the fields the truth has)."""
        return _diferencas(db, truth)


def truth_registros(sandbox: SandboxClient, user: DemoUser, onde: Sequence[tuple[str, str]]) -> Registros:
    """The sandbox's ground truth for ``user`` at each (tribunal, grau), keyed like :func:`db_registros`."""
    out: Registros = {"acervo": {}, "expedientes": {}, "audiencias": {}}
    for tribunal, grau in onde:
        bloco = sandbox.truth(tribunal=tribunal, grau=grau, cpf=user.cpf)["tribunais"][tribunal][grau][user.cpf]
        for lista, origem in (("acervo_geral", "acervo_geral"), ("arquivados", "arquivado")):
            for p in bloco[lista]:
                out["acervo"][(tribunal, grau, p["id_externo"])] = {**p, "origem": origem}
        for filtro in FILTROS:
            for e in bloco["pendentes"][filtro]:
                out["expedientes"][(tribunal, grau, e["id_externo"], e["id_documento"])] = e
        for situacao in SITUACOES.values():
            for a in bloco["audiencias"][situacao]:
                out["audiencias"][(tribunal, grau, a["id_externo"])] = a
    return out


def _diferencas(db: Registros, truth: Registros) -> list[Any]:
    problems: list[Any] = []
    for table, expected_rows in truth.items():
        stored_rows = db[table]
        problems += [("missing", table, key) for key in expected_rows.keys() - stored_rows.keys()]
        problems += [("extra", table, key) for key in stored_rows.keys() - expected_rows.keys()]
        for key in expected_rows.keys() & stored_rows.keys():
            stored = stored_rows[key]
            diffs = {f: (stored.get(f), v) for f, v in expected_rows[key].items() if stored.get(f) != v}
            if diffs:
                problems.append(("field", table, key, diffs))
    return problems


@pytest.fixture(scope="module")
def captura_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxClient]:
    """This module's sandbox: a firm-sized first lawyer on TRT5 (several pages), TRT9 and the TST; six users.

    Short TOTP steps: one user's logins at three tribunals take three steps, a few seconds instead of a minute."""
    from sinesys_spiders.testing.sandbox_fixtures import TEST_TOTP_PERIOD, start_sandbox

    with start_sandbox(
        tmp_path_factory.mktemp("captura-sandbox"),
        scale="firm",
        users=6,
        tribunais="TRT5,TRT9,TST",
        totp_period=TEST_TOTP_PERIOD,
    ) as client:
        yield client


@pytest.fixture(scope="module")
def captura_factory(
    captura_sandbox: SandboxClient, create_database: CreateDatabase, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """``new() -> CapturaE2E``: a fresh migrated database (current back end) with no lawyer yet."""
    made: list[CapturaE2E] = []

    def new() -> CapturaE2E:
        e2e = CapturaE2E(
            sandbox=captura_sandbox,
            database_url=create_database(),
            workdir=tmp_path_factory.mktemp("captura-e2e"),
        )
        made.append(e2e)
        return e2e

    yield new
    for e2e in made:
        e2e.close()
