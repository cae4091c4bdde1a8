"""The checks every tribunal plugin passes, against the author's own simulator.

Subclass :class:`ContratoPlugin` in a test module and provide one fixture, ``simulador_kit`` (class scope or
wider), that starts your simulator and returns a :class:`SimuladorKit`::

    from sinesys_spiders.testing.kit import ContratoPlugin, SimuladorKit, UsuarioKit

    class TestMeuPlugin(ContratoPlugin):
        @pytest.fixture(scope="class")
        def simulador_kit(self, meu_simulador):
            return SimuladorKit(
                tribunal="TJXX", grau="primeiro_grau", base_url=meu_simulador.base_url,
                usuarios=[UsuarioKit(u.cpf, u.senha, u.totp_secret) for u in meu_simulador.usuarios[:3]],
                verdade=lambda usuario: meu_simulador.verdade(cpf=usuario.usuario),
                expirar_sessoes=meu_simulador.expirar_sessoes,
                contadores=lambda usuario: meu_simulador.contadores(cpf=usuario.usuario),
            )

The kit then runs (at most) two captures the way operators do (``scrapy crawl <tipo>`` in a subprocess, on a database of
its own: ``kit_database_url``, SQLite by default; logins with no pause between steps, ``SINESYS_LOGIN_PAUSA=0``, in
one Chromium the class shares over CDP, ``kit_navegador``) and checks what they left:

1. the first capture has three credentials at the tribunal: the right one, one with a wrong password and one
   with a TOTP secret whose codes are all refused. The right one logs in once through the OTP step and stores
   exactly the simulator's ground truth, over at least ``min_paginas`` pages, every item valid and counted; the
   others fail with ``SENHA_INVALIDA`` and ``OTP_INVALIDO`` and the capture still completes;
2. the simulator ends every session; the second capture finds its stored session rejected, logs in exactly once
   more, and writes nothing (every row unchanged);
3. no password, TOTP secret, session cookie or full CPF in the crawls' output, and none of the first three in the
   raw log.

The pytest plugin (``pytest11`` entry point ``sinesys_kit``) adds the ``--sinesys-plugin NAME`` option: with it,
only the contracts of the named plugins run (``ContratoPlugin.plugin``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest

from sinesys_spiders.core.db.migrate import upgrade
from sinesys_spiders.core.historico import CapturaResumo
from sinesys_spiders.testing.kit.ambiente import AmbienteKit, Crawl, senha_errada, totp_errado
from sinesys_spiders.testing.kit.navegador import chromium_cdp

__all__ = ["ContratoPlugin", "ExecucaoKit", "SimuladorKit", "UsuarioKit"]


@dataclasses.dataclass(frozen=True)
class UsuarioKit:
    """A lawyer of the simulator: login, password and TOTP secret (a base32 secret or an ``otpauth://`` URI)."""

    usuario: str = dataclasses.field(repr=False)
    senha: str = dataclasses.field(repr=False)
    totp_secret: str = dataclasses.field(repr=False)
    nome: str = "Advogada Kit"


@dataclasses.dataclass(frozen=True)
class SimuladorKit:
    """What the author's ``simulador_kit`` fixture returns: where the simulator is, its users and its truth.

    - ``usuarios``: at least three; the first one's data at ``tribunal`` ``grau`` spans ``min_paginas`` pages;
    - ``verdade(usuario)``: ``{tabela: [row, ...]}``, what a correct capture of ``tipo`` stores for that user at
      ``tribunal`` ``grau`` (``acervo``, ``expedientes`` or ``audiencias``; rows keyed by their column names, with
      ``tribunal``, ``grau`` and the external id; datetimes as UTC ISO text);
    - ``expirar_sessoes()``: end every session at the simulator;
    - ``contadores(usuario)``: that user's ``logins`` (successful), ``senhas_recusadas`` and ``otp_recusados`` so far;
    - ``argumentos``: more ``-a k=v`` for the crawl (a ``tipo`` with required parameters).
    """

    tribunal: str
    grau: str
    base_url: str
    usuarios: Sequence[UsuarioKit]
    verdade: Callable[[UsuarioKit], Mapping[str, Sequence[Mapping[str, Any]]]]
    expirar_sessoes: Callable[[], object]
    contadores: Callable[[UsuarioKit], Mapping[str, int]]
    sso_url: str | None = None
    tipo: str = "acervo_geral"
    argumentos: Sequence[str] = ()
    min_paginas: int = 2


@dataclasses.dataclass
class ExecucaoKit:
    """What the two captures left, read once per class and checked by every test."""

    sim: SimuladorKit
    ambiente: AmbienteKit
    credenciais: dict[str, int]
    papeis: dict[str, UsuarioKit]
    primeira: Crawl
    resumos: list[CapturaResumo]
    contadores: dict[str, dict[str, dict[str, int]]]  # fase -> papel -> counters
    registros: list[dict[str, Any]]
    verdade: Mapping[str, Sequence[Mapping[str, Any]]]
    paginas_brutas: int
    #: The second capture (after the simulator ended every session), once ``repeticao_kit`` ran it.
    segunda: Crawl | None = None

    def contar(self) -> dict[str, dict[str, int]]:
        return {papel: dict(self.sim.contadores(u)) for papel, u in self.papeis.items()}

    def resultado(self, fase: int, papel: str) -> dict[str, Any]:
        credencial_id = self.credenciais[papel]
        for entry in self.resumos[fase].resultados:
            if entry["credencial_id"] == credencial_id:
                return dict(entry)
        raise AssertionError(f"the capture recorded nothing for the {papel} credential")

    def delta(self, papel: str, contador: str, de: str = "antes", ate: str = "primeira") -> int:
        return int(self.contadores[ate][papel].get(contador, 0)) - int(self.contadores[de][papel].get(contador, 0))


_ID_EXTERNO = "id_externo"


def _chave(row: Mapping[str, Any]) -> tuple[Any, ...]:
    if _ID_EXTERNO not in row:
        raise AssertionError(f"a truth row has no external id ({_ID_EXTERNO})")
    return (str(row["tribunal"]), str(row["grau"]), int(row[_ID_EXTERNO]))


def diferencas(
    armazenado: Mapping[str, Mapping[Any, Mapping[str, Any]]], verdade: Mapping[str, Sequence[Mapping[str, Any]]]
) -> list[Any]:
    """Rows missing, extra, or with a field differing from the truth (only the fields the truth has)."""
    problemas: list[Any] = []
    for tabela, linhas in verdade.items():
        esperado = {_chave(row): row for row in linhas}
        guardado = {_chave(row): row for row in armazenado.get(tabela, {}).values()}
        problemas += [("falta", tabela, k) for k in sorted(esperado.keys() - guardado.keys())]
        problemas += [("sobra", tabela, k) for k in sorted(guardado.keys() - esperado.keys())]
        for k in sorted(esperado.keys() & guardado.keys()):
            campos = {f: (guardado[k].get(f), v) for f, v in esperado[k].items() if guardado[k].get(f) != v}
            if campos:
                problemas.append(("campo", tabela, k, campos))
    return problemas


class ContratoPlugin:
    """The contract tests of a tribunal plugin; subclass it and provide ``simulador_kit``."""

    #: The plugin's entry point name, for ``--sinesys-plugin`` (``None``: always run).
    plugin: ClassVar[str | None] = None
    #: Marks the class for the kit's pytest plugin (which never imports this module).
    _sinesys_kit: ClassVar[bool] = True

    @pytest.fixture(scope="class")
    @classmethod
    def kit_database_url(cls, tmp_path_factory: pytest.TempPathFactory) -> str:
        """The kit's database: a migrated SQLite file (override it to use PostgreSQL)."""
        url = f"sqlite:///{tmp_path_factory.mktemp('kit-db') / 'kit.db'}"
        upgrade(url)
        return url

    @pytest.fixture(scope="class")
    @classmethod
    def kit_env(cls) -> dict[str, str]:
        """More environment for the crawls (``SINESYS_REDIS_URL``...); empty by default."""
        return {}

    @pytest.fixture(scope="class")
    @classmethod
    def kit_navegador(cls, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str | None]:
        """The CDP URL of one headless Chromium the class's crawls share (``None``: each login launches its own).

        Override it to return ``None`` to test the launch of a browser per login instead."""
        with chromium_cdp(tmp_path_factory.mktemp("kit-chromium")) as url:
            yield url

    @pytest.fixture(scope="class")
    @classmethod
    def execucao_kit(
        cls,
        simulador_kit: SimuladorKit,
        kit_database_url: str,
        kit_env: dict[str, str],
        kit_navegador: str | None,
        tmp_path_factory: pytest.TempPathFactory,
    ) -> Iterator[ExecucaoKit]:
        """The first capture (right credential, wrong password, refused codes), once for the class."""
        sim = simulador_kit
        assert len(sim.usuarios) >= 3, "the kit needs three users of the simulator"
        workdir: Path = tmp_path_factory.mktemp("kit")
        # No human-like pause between login steps: the simulator does not watch for bots.
        env = {"SINESYS_LOGIN_PAUSA": "0"}
        if kit_navegador:
            env["SINESYS_BROWSER_CDP_URL"] = kit_navegador
        ambiente = AmbienteKit(database_url=kit_database_url, workdir=workdir, extra_env={**env, **kit_env})
        try:
            ambiente.apontar(sim.tribunal, sim.grau, base_url=sim.base_url, sso_url=sim.sso_url)
            certo, senha, otp = sim.usuarios[:3]
            comum = {"tribunal": sim.tribunal, "grau": sim.grau}
            credenciais = {
                "certa": ambiente.credencial(usuario=certo.usuario, senha=certo.senha,
                                             totp_secret=certo.totp_secret, nome=certo.nome, **comum),
                "senha": ambiente.credencial(usuario=senha.usuario, senha=senha_errada(senha.senha),
                                             totp_secret=senha.totp_secret, nome=senha.nome, **comum),
                "otp": ambiente.credencial(usuario=otp.usuario, senha=otp.senha,
                                           totp_secret=totp_errado(otp.totp_secret), nome=otp.nome, **comum),
            }  # fmt: skip
            papeis = {"certa": certo, "senha": senha, "otp": otp}

            def contar() -> dict[str, dict[str, int]]:
                return {papel: dict(sim.contadores(u)) for papel, u in papeis.items()}

            contadores = {"antes": contar()}
            primeira = ambiente.crawl(sim.tipo, list(credenciais.values()), *sim.argumentos)
            contadores["primeira"] = contar()
            assert primeira.captura_id is not None, f"{primeira.tipo} opened no history row:\n{primeira.stderr[-3000:]}"
            yield ExecucaoKit(
                sim=sim,
                ambiente=ambiente,
                credenciais=credenciais,
                papeis=papeis,
                primeira=primeira,
                resumos=[ambiente.resumo(primeira.captura_id)],
                contadores=contadores,
                registros=[ambiente.registros()],
                verdade=sim.verdade(certo),
                paginas_brutas=ambiente.paginas_de(primeira.captura_id, credenciais["certa"]),
            )
        finally:
            ambiente.close()

    @pytest.fixture(scope="class")
    @classmethod
    def repeticao_kit(cls, execucao_kit: ExecucaoKit) -> ExecucaoKit:
        """The second capture of the right credential, after the simulator ended every session."""
        k = execucao_kit
        if k.segunda is None:
            k.sim.expirar_sessoes()
            k.segunda = k.ambiente.crawl(k.sim.tipo, [k.credenciais["certa"]], *k.sim.argumentos)
            k.contadores["segunda"] = k.contar()
            assert k.segunda.captura_id is not None, f"no history row:\n{k.segunda.stderr[-3000:]}"
            k.resumos.append(k.ambiente.resumo(k.segunda.captura_id))
            k.registros.append(k.ambiente.registros())
        return k

    # -- login -----------------------------------------------------------------------------------

    def test_login_com_otp(self, execucao_kit: ExecucaoKit) -> None:
        """The right credential logs in once, through the OTP step, and its capture completes."""
        k = execucao_kit
        assert k.primeira.returncode == 0, k.primeira.stderr[-3000:]
        assert k.resumos[0].status == "completed", k.resumos[0].erro
        assert "erro" not in k.resultado(0, "certa"), k.resultado(0, "certa")
        assert k.delta("certa", "logins") == 1
        assert k.delta("certa", "otp_recusados") == 0

    def test_senha_errada(self, execucao_kit: ExecucaoKit) -> None:
        """A wrong password fails that credential with ``SENHA_INVALIDA``; the simulator saw the refusal."""
        k = execucao_kit
        assert k.resultado(0, "senha").get("erro", {}).get("codigo") == "SENHA_INVALIDA", k.resultado(0, "senha")
        assert k.delta("senha", "senhas_recusadas") >= 1
        assert k.delta("senha", "logins") == 0

    def test_otp_recusado(self, execucao_kit: ExecucaoKit) -> None:
        """Refused codes fail that credential with ``OTP_INVALIDO`` after at most two codes (current and next)."""
        k = execucao_kit
        assert k.resultado(0, "otp").get("erro", {}).get("codigo") == "OTP_INVALIDO", k.resultado(0, "otp")
        assert 1 <= k.delta("otp", "otp_recusados") <= 2
        assert k.delta("otp", "logins") == 0

    # -- capture ---------------------------------------------------------------------------------

    def test_paginas_e_totais(self, execucao_kit: ExecucaoKit) -> None:
        """Every page is captured (at least ``min_paginas`` raw pages) and the stored rows equal the truth."""
        k = execucao_kit
        assert k.paginas_brutas >= k.sim.min_paginas
        assert diferencas(k.registros[0], k.verdade) == []
        esperados = sum(len(linhas) for linhas in k.verdade.values())
        assert esperados > 0, "the simulator's truth for the first user is empty"
        assert k.resultado(0, "certa")["resultado"]["inseridos"] == esperados

    def test_itens_validos(self, execucao_kit: ExecucaoKit) -> None:
        """Every row parses into a valid item: no item error recorded, and every item exported by the feed."""
        k = execucao_kit
        assert k.resultado(0, "certa")["resultado"].get("erros", 0) == 0, k.resultado(0, "certa")
        esperados = sum(len(linhas) for linhas in k.verdade.values())
        exportados = [i for i in k.primeira.itens() if i.get("credencial_id") == k.credenciais["certa"]]
        com_chave = [i for i in exportados if _ID_EXTERNO in i]
        assert len(com_chave) == esperados

    # -- session ---------------------------------------------------------------------------------

    def test_sessao_expirada_um_novo_login(self, repeticao_kit: ExecucaoKit) -> None:
        """A stored session the simulator ended is replaced by exactly one new login, and the capture completes."""
        k = repeticao_kit
        assert k.segunda is not None
        assert k.segunda.returncode == 0, k.segunda.stderr[-3000:]
        assert "erro" not in k.resultado(1, "certa"), k.resultado(1, "certa")
        assert k.delta("certa", "logins", "primeira", "segunda") == 1

    def test_segunda_execucao_nada_escreve(self, repeticao_kit: ExecucaoKit) -> None:
        """The second capture of the same data inserts and updates nothing, and every stored row is unchanged."""
        k = repeticao_kit
        totais = k.resultado(1, "certa")["resultado"]
        assert (totais.get("inseridos", 0), totais.get("atualizados", 0)) == (0, 0), totais
        assert k.registros[1] == k.registros[0]

    # -- secrets ---------------------------------------------------------------------------------

    def test_nenhum_segredo(self, repeticao_kit: ExecucaoKit) -> None:
        """No password, TOTP secret or session cookie in the crawls' output or the raw log; no full CPF in output."""
        k = repeticao_kit
        segredos: dict[str, str] = {}
        for n, u in enumerate(k.sim.usuarios[:3]):
            segredos[f"senha do usuário {n}"] = u.senha
            segredos[f"senha errada do usuário {n}"] = senha_errada(u.senha)
            segredos[f"TOTP do usuário {n}"] = u.totp_secret
        for n, valor in enumerate(k.ambiente.cookies_de_sessao()):
            segredos[f"cookie de sessão {n}"] = valor
        saida = "\n".join(c.stdout + c.stderr for c in (k.primeira, k.segunda) if c is not None)
        brutos = "\n".join(k.ambiente.payloads_brutos())
        assert brutos, "the raw log is empty"
        assert [nome for nome, valor in segredos.items() if valor in saida] == []
        assert [nome for nome, valor in segredos.items() if valor in brutos] == []
        cpfs = [u.usuario for u in k.sim.usuarios[:3] if u.usuario.isdigit() and len(u.usuario) == 11]
        assert [n for n, cpf in enumerate(cpfs) if cpf in saida] == []
