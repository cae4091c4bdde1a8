"""``sinesys demo``: the main job on embedded defaults, end to end, against the sandbox.

1. starts the simulated PJE-TRT (``sinesys sandbox``) on a free loopback port;
2. builds a fresh SQLite database under ``var/demo/`` (its own key file), registers the sandbox's first demo
   lawyer and two credentials on two tribunals, and points those tribunals at the sandbox;
3. runs ``scrapy crawl acervo_geral -a credenciais=1,2`` and the other three list spiders, as an operator would;
4. serves the REST API (``sinesys api serve``) with a service key and starts one capture over HTTP, then runs
   ``sinesys scheduler run`` until the schedule it added before step 3, due in the next minute, fires
   (:mod:`.demo_servicos`);
5. prints what was captured and what failed, per credential, the next deadlines (pendentes) and the next hearings,
   and what the API and the scheduler did.

Everything the demo writes stays under ``--var-dir`` (default ``var/demo``); the real PJE is never contacted.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from plugins.pje_trt.demo_servicos import ResultadoServicos, agendar, pela_api, pelo_agendador, print_servicos
from sinesys_spiders.core.processos import encerrar

SPIDERS = ("acervo_geral", "arquivados", "pendentes", "audiencias")
TRIBUNAIS = (("TRT3", "primeiro_grau"), ("TRT5", "primeiro_grau"))


@contextlib.contextmanager
def _sandbox(var_dir: Path, seed: int, scale: str) -> Iterator[dict[str, Any]]:
    users_file = var_dir / "sandbox-users.json"
    log = (var_dir / "sandbox.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "sinesys_spiders.cli", "sandbox", "--port", "0", "--seed", str(seed),
         "--scale", scale, "--users", "2", "--users-file", str(users_file),
         "--tribunais", ",".join(t for t, _ in TRIBUNAIS)],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while not users_file.exists() or not users_file.stat().st_size:
            if proc.poll() is not None:
                raise click.ClickException(f"o sandbox não iniciou: veja {var_dir / 'sandbox.log'}")
            if time.monotonic() > deadline:
                raise click.ClickException("o sandbox não respondeu em 120 s")
            time.sleep(0.2)
        time.sleep(0.5)
        yield json.loads(users_file.read_text(encoding="utf-8"))
    finally:
        encerrar(proc)
        log.close()


def _register(info: dict[str, Any]) -> tuple[int, list[int]]:
    """The demo lawyer, two credentials (secrets straight from the users file, never argv) and URL overrides."""
    from sinesys_spiders.core.config import get_settings
    from sinesys_spiders.core.credenciais import CredenciaisService
    from sinesys_spiders.core.credenciais_input import NovaCredencial
    from sinesys_spiders.core.db import session_scope
    from sinesys_spiders.core.db.migrate import upgrade
    from sinesys_spiders.core.db.repositories import AdvogadosRepository
    from sinesys_spiders.core.domain import Grau, Tribunal
    from sinesys_spiders.core.endpoints import EndpointResolver

    upgrade(get_settings().effective_database_url)
    user = info["users"][0]
    with session_scope() as session:
        advogado = AdvogadosRepository(session).add(
            nome_completo=user["nome"], cpf=user["cpf"], oabs=[{"numero": user["oab"][2:], "uf": user["oab"][:2]}]
        )
        advogado_id = advogado.id
    service = CredenciaisService.from_settings()
    ids = service.add_many(
        [
            NovaCredencial.from_values(
                advogado_id=advogado_id, tribunal=t, grau=g, senha=user["senha"], totp_secret=user["totp_secret"]
            )
            for t, g in TRIBUNAIS
        ]
    )
    resolver = EndpointResolver.from_settings()
    for tribunal, grau in TRIBUNAIS:
        resolver.set_override(
            Tribunal(tribunal), Grau(grau), base_url=info["tribunais"][tribunal]["base_url"], sso_url=info["sso_url"]
        )
    return advogado_id, ids


def _crawl(spider: str, credenciais: list[int], env: dict[str, str], var_dir: Path) -> int:
    args = ["-m", "scrapy", "crawl", spider, "-a", "credenciais=" + ",".join(map(str, credenciais))]
    click.echo(f"$ scrapy crawl {spider} -a credenciais={','.join(map(str, credenciais))}")
    with (var_dir / f"crawl-{spider}.log").open("w") as log:
        started = time.monotonic()
        code = subprocess.call([sys.executable, *args], env=env, stdout=log, stderr=subprocess.STDOUT)
    click.echo(f"  ... {spider}: exit {code} in {time.monotonic() - started:.1f} s (log: {log.name})")
    return code


@click.command("demo")
@click.option(
    "--var-dir",
    type=click.Path(path_type=Path),
    default=Path("var/demo"),
    show_default=True,
    help="Where the demo keeps its database, key, logs (recreated on each run).",
)
@click.option("--seed", default=42, show_default=True, help="Sandbox data seed.")
@click.option("--scale", default="small", show_default=True, type=click.Choice(["tiny", "small", "firm"]),
              help="Sandbox data size.")  # fmt: skip
def demo(var_dir: Path, seed: int, scale: str) -> None:
    """Run the main job on embedded defaults against the sandbox and summarise what was captured."""
    var_dir = var_dir.resolve()
    if var_dir.exists():
        shutil.rmtree(var_dir)
    var_dir.mkdir(parents=True)
    # Embedded defaults only: this process and the crawls it starts use the demo folder, whatever is configured.
    for key in [k for k in os.environ if k.startswith("SINESYS_")]:
        del os.environ[key]
    os.environ["SINESYS_VAR_DIR"] = str(var_dir)
    env = dict(os.environ)
    from sinesys_spiders.core.config import reset_settings

    reset_settings()
    click.echo(f"Sinesys Captura demo: sandbox PJE-TRT (seed {seed}, scale {scale}), data in {var_dir}")
    with _sandbox(var_dir, seed, scale) as info:
        advogado_id, credenciais = _register(info)
        click.echo(f"registered 1 lawyer and credentials {credenciais} on {', '.join(t for t, _ in TRIBUNAIS)}")
        servicos = ResultadoServicos()
        # Scheduled now, fired by the scheduler after the CLI and API captures: by then it is (nearly) due.
        agendar(env, advogado_id, credenciais, servicos)
        codes = {spider: _crawl(spider, credenciais, env, var_dir) for spider in SPIDERS}
        click.echo("The same captures as a service: the REST API, then the scheduler")
        pela_api(env, var_dir, advogado_id, credenciais[0], servicos)
        pelo_agendador(env, var_dir, servicos)
    from plugins.pje_trt.demo_summary import print_summary

    print_summary(now=dt.datetime.now(dt.UTC))
    print_servicos(servicos)
    failed = [spider for spider, code in codes.items() if code != 0]
    failed += [f"{nome} ({status})" for nome, status in (("API", servicos.api_status),
               ("agendador", servicos.agendamento_status)) if status != "completed"]  # fmt: skip
    if failed or servicos.erros:
        motivos = ", ".join(failed + servicos.erros)
        raise click.ClickException(f"captura com falha: {motivos} (veja os logs em {var_dir})")
