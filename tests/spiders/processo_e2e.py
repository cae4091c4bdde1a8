"""Helpers of the per-case capture tests (``partes``, ``timeline``): a database of sandbox cases, `scrapy crawl` runs.

:class:`ProcessoE2E` holds one migrated database (SQLite or PostgreSQL) with a sandbox user's lawyer,
credential (its tribunal pointed at the sandbox) and acervo rows taken from the sandbox's ground truth, and a
stored session logged in over plain HTTP (forms + TOTP), so the crawls need no browser. It runs the spiders
as an operator does (``python -m scrapy crawl``) and reads back what was stored, in the ground truth's
vocabulary.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from sinesys_spiders.core.credenciais import CredenciaisService
from sinesys_spiders.core.credenciais_input import NovaCredencial
from sinesys_spiders.core.crypto import Cipher, generate_key
from sinesys_spiders.core.db.engine import make_engine, make_session_factory, session_scope
from sinesys_spiders.core.db.models import (
    CapturaLog,
    Endereco,
    Parte,
    Processo,
    ProcessoParte,
    ProcessoParteRepresentante,
    Representante,
)
from sinesys_spiders.core.db.repositories.advogados import AdvogadosRepository
from sinesys_spiders.core.db.repositories.tribunais_config import TribunaisConfigRepository
from sinesys_spiders.core.domain import Grau, Tribunal
from sinesys_spiders.core.historico import CapturaResumo, HistoricoService
from sinesys_spiders.core.sessions import SessaoTribunal, SqlSessionStore
from sinesys_spiders.testing.comandos import env_de_comando
from sinesys_spiders.testing.sandbox_fixtures import DemoUser, SandboxClient

PROJECT_DIR = Path(__file__).resolve().parents[2]


class ProcessoE2E:
    """One sandbox user's credential at one tribunal and grau, with its acervo stored, and crawls on it."""

    def __init__(self, *, sandbox: SandboxClient, database_url: str, workdir: Path, user: DemoUser,
                 tribunal: str, grau: str = "primeiro_grau") -> None:  # fmt: skip
        self.sandbox = sandbox
        self.database_url = database_url
        self.workdir = workdir
        self.user = user
        self.tribunal = tribunal
        self.grau = grau
        self.secret_key = generate_key()
        self.engine = make_engine(database_url)
        self.factory: sessionmaker[Session] = make_session_factory(self.engine)
        self.cipher = Cipher.from_text(self.secret_key)
        (workdir / "var").mkdir(parents=True, exist_ok=True)
        with session_scope(factory=self.factory) as session:
            self.advogado_id = AdvogadosRepository(session).add(nome_completo=user.nome, cpf=user.cpf).id
            TribunaisConfigRepository(session).set_override(
                tribunal=tribunal, grau=grau, base_url=sandbox.base_url(tribunal), sso_url=sandbox.sso_url
            )
        self.credencial_id = CredenciaisService(self.factory, self.cipher, cache_ttl=0).add(
            NovaCredencial(
                advogado_id=self.advogado_id,
                tribunal=Tribunal(tribunal),
                grau=Grau(grau),
                senha=SecretStr(user.senha),
                usuario=user.cpf,
                totp_secret=SecretStr(user.totp_secret),
            )
        )
        self.login()

    def close(self) -> None:
        self.engine.dispose()

    # -- set-up ----------------------------------------------------------------------------------

    def login(self) -> None:
        """Log in over HTTP and store the session, as the session manager would after a browser login."""
        http = self.sandbox.login(self.user, self.tribunal, self.grau)
        try:
            cookies = [
                {"name": c.name, "value": c.value, "domain": c.domain, "path": c.path or "/"} for c in http.cookies.jar
            ]
        finally:
            http.close()
        sessao = SessaoTribunal.from_login(
            credencial_id=self.credencial_id,
            base_url=self.sandbox.base_url(self.tribunal),
            id_advogado=self.user.ids_advogado[self.tribunal],
            cookies=cookies,
            claims={"id": self.user.ids_advogado[self.tribunal]},
        )
        SqlSessionStore(self.factory, self.cipher).save(sessao)

    def truth(self, tipo: str | None = None) -> dict[str, Any]:
        """The user's ground truth at this tribunal and grau (list captures, or ``tipo``)."""
        data = self.sandbox.truth(tribunal=self.tribunal, grau=self.grau, cpf=self.user.cpf, tipo=tipo)
        return data["tribunais"][self.tribunal][self.grau][self.user.cpf]

    def store_acervo(self) -> dict[int, int]:
        """The user's active and archived cases as ``acervo`` rows; ``{id_externo: acervo id}``."""
        bloco = self.truth()
        out: dict[int, int] = {}
        with session_scope(factory=self.factory) as session:
            for lista, origem in (("acervo_geral", "acervo_geral"), ("arquivados", "arquivado")):
                for caso in bloco[lista]:
                    existing = session.scalar(
                        select(Processo.id).where(
                            Processo.id_externo == caso["id_externo"],
                            Processo.tribunal == self.tribunal,
                            Processo.grau == self.grau,
                        )
                    )
                    if existing is None:
                        row = Processo(
                            id_externo=caso["id_externo"], tribunal=self.tribunal, grau=self.grau,
                            numero_processo=caso["numero_processo"], numero=caso["numero"], origem=origem,
                            advogado_id=self.advogado_id, credencial_id=self.credencial_id,
                        )  # fmt: skip
                        session.add(row)
                        session.flush()
                        existing = row.id
                    out[caso["id_externo"]] = existing
        return out

    # -- commands --------------------------------------------------------------------------------

    @property
    def env(self) -> dict[str, str]:
        return env_de_comando(database_url=self.database_url, var_dir=self.workdir / "var", secret_key=self.secret_key)

    def crawl(self, spider: str, *args: str, settings: dict[str, Any] | None = None,
              check: bool = True) -> tuple[subprocess.CompletedProcess[str], CapturaResumo | None]:  # fmt: skip
        """``scrapy crawl spider -a credenciais=<id> -a k=v ...``; the history row it opened."""
        before = self._last_captura()
        argv = [sys.executable, "-m", "scrapy", "crawl", spider]
        if not any(a.startswith(("credenciais=", "advogado=", "processo=")) for a in args):
            argv += ["-a", f"credenciais={self.credencial_id}"]
        for arg in args:
            argv += ["-a", arg]
        for key, value in (settings or {}).items():
            argv += ["-s", f"{key}={json.dumps(value) if not isinstance(value, str) else value}"]
        result = subprocess.run(argv, cwd=PROJECT_DIR, env=self.env, capture_output=True, text=True,
                                timeout=900, check=False)  # fmt: skip
        after = self._last_captura()
        resumo = HistoricoService(self.factory).get(after) if after is not None and after != before else None
        if check:
            assert result.returncode == 0, f"{spider}: exit {result.returncode}\n{result.stderr[-4000:]}"
            assert resumo is not None, result.stderr[-4000:]
            text = result.stdout + result.stderr
            for secret in self.user.secrets:
                assert secret not in text, "a secret or the full CPF reached the crawl's output"
        return result, resumo

    def crawl_feed(self, spider: str) -> list[dict[str, Any]]:
        """``scrapy crawl <spider> -a credenciais=<id> -O <file>.jsonl`` as an operator runs it; the feed's records."""
        destino = self.workdir / f"{spider}.jsonl"
        argv = [sys.executable, "-m", "scrapy", "crawl", spider, "-a", f"credenciais={self.credencial_id}",
                "-O", str(destino)]  # fmt: skip
        result = subprocess.run(argv, cwd=PROJECT_DIR, env=self.env, capture_output=True, text=True, timeout=900)
        assert result.returncode == 0, result.stderr[-4000:]
        return [json.loads(line) for line in destino.read_text(encoding="utf-8").splitlines() if line.strip()]

    def resumo_ultimo(self) -> CapturaResumo | None:
        """The newest history row, if any."""
        last = self._last_captura()
        return None if last is None else HistoricoService(self.factory).get(last)

    def resultado(self, resumo: CapturaResumo) -> dict[str, Any]:
        """The credential's entry in the history row."""
        [entry] = [e for e in resumo.resultados if e["credencial_id"] == self.credencial_id]
        return entry

    def _last_captura(self) -> int | None:
        with self.factory() as session:
            return session.scalar(select(func.max(CapturaLog.id)))

    # -- what was stored -------------------------------------------------------------------------

    def partes_armazenadas(self) -> dict[int, list[dict[str, Any]]]:
        """``{id_externo of the case: [party, ...]}`` in the ground truth's vocabulary, ordered like PJE's answer."""
        out: dict[int, list[dict[str, Any]]] = {}
        with self.factory() as session:
            reps_por_vinculo: dict[int, list[Representante]] = {}
            for link, rep in session.execute(
                select(ProcessoParteRepresentante, Representante)
                .join(Representante, ProcessoParteRepresentante.representante_id == Representante.id)
                .order_by(ProcessoParteRepresentante.id)
            ):
                reps_por_vinculo.setdefault(link.processo_parte_id, []).append(rep)
            rows = session.execute(
                select(ProcessoParte, Parte, Processo)
                .join(Parte, ProcessoParte.parte_id == Parte.id)
                .join(Processo, ProcessoParte.processo_id == Processo.id)
            ).all()
            ordem_polo = {"ativo": 0, "passivo": 1, "outros": 2}
            rows.sort(key=lambda r: (r[2].id_externo, ordem_polo.get(r[0].polo, 3), r[0].ordem or 0, r[0].id))
            for vinculo, parte, processo in rows:
                out.setdefault(processo.id_externo, []).append(
                    {
                        "id_externo": vinculo.id_externo,
                        "id_pessoa": vinculo.id_pessoa_externo,
                        "nome": parte.nome,
                        "tipo_pessoa": "pj" if parte.tipo_pessoa == "J" else "pf",
                        "cpf": parte.cpf,
                        "cnpj": parte.cnpj,
                        "polo": vinculo.polo,
                        "tipo": vinculo.tipo_parte,
                        "id_tipo_parte": vinculo.id_tipo_parte,
                        "principal": vinculo.principal,
                        "ordem": vinculo.ordem,
                        "classificacao": vinculo.classificacao,
                        "emails": parte.emails,
                        "representantes": [
                            {"cpf": r.cpf, "nome": r.nome,
                             "oabs": [{"numero": o["numero"], "uf": o["uf"]} for o in r.oabs],
                             "situacao_oab": r.oabs[0].get("situacao") if r.oabs else None}
                            for r in reps_por_vinculo.get(vinculo.id, [])
                        ],
                    }
                )  # fmt: skip
        return out

    def enderecos_armazenados(self) -> dict[tuple[str, str], dict[str, Any]]:
        """``{("parte"|"representante", CPF or CNPJ): address}`` of every stored address."""
        out: dict[tuple[str, str], dict[str, Any]] = {}
        with self.factory() as session:
            docs = {("parte", p.id): p.cpf or p.cnpj for p in session.scalars(select(Parte))}
            docs.update({("representante", r.id): r.cpf for r in session.scalars(select(Representante))})
            for row in session.scalars(select(Endereco)):
                key = (row.entidade_tipo, docs[(row.entidade_tipo, row.entidade_id)])
                assert key not in out, f"two addresses for one {row.entidade_tipo}"
                out[key] = _endereco(row)  # type: ignore[assignment]
        return out

    def contagens(self, *models: Any) -> dict[str, int]:
        with self.factory() as session:
            return {m.__tablename__: session.scalar(select(func.count()).select_from(m)) or 0 for m in models}


def _endereco(row: Endereco | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "id_externo": row.id_externo,
        "logradouro": row.logradouro,
        "numero": row.numero,
        "complemento": row.complemento,
        "bairro": row.bairro,
        "municipio": row.municipio,
        "municipio_ibge": row.municipio_ibge,
        "estado_sigla": row.estado_sigla,
        "pais_codigo": row.pais_codigo,
        "cep": row.cep,
    }


def partes_esperadas(truth_partes: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    """The ground truth's parties per case id, with representatives reduced to what is stored of them."""
    out: dict[int, list[dict[str, Any]]] = {}
    for caso in truth_partes:
        lista = []
        for parte in caso["partes"]:
            lista.append(
                {
                    **{k: v for k, v in parte.items() if k not in ("representantes", "endereco")},
                    "representantes": [
                        {"cpf": r["cpf"], "nome": r["nome"], "oabs": r["oabs"], "situacao_oab": r["situacao_oab"]}
                        for r in parte["representantes"]
                    ],
                }
            )  # fmt: skip
        if lista:
            out[caso["id_processo"]] = lista
    return out


def enderecos_esperados(truth_partes: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    """Every address the ground truth shows for a party or representative (one per person), by document."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for caso in truth_partes:
        for parte in caso["partes"]:
            if parte["endereco"] is not None:
                out[("parte", parte["cpf"] or parte["cnpj"])] = parte["endereco"]
            for rep in parte["representantes"]:
                if rep["endereco"] is not None:
                    out[("representante", rep["cpf"])] = rep["endereco"]
    return out
