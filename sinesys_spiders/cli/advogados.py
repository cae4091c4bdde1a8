"""``sinesys advogados``: the lawyers whose cases are captured."""

from __future__ import annotations

from typing import Any

import click
from sqlalchemy.exc import IntegrityError

from sinesys_spiders.cli._common import echo_json, fail
from sinesys_spiders.cli._inputs import OneLineGroup, session_factory
from sinesys_spiders.core.db import session_scope
from sinesys_spiders.core.db.repositories import AdvogadosRepository
from sinesys_spiders.core.errors import EntradaInvalida
from sinesys_spiders.core.validation import Oab, mask_cpf, validate_cpf, validate_oab

__all__ = ["command"]

_MAX_NOME = 255


def _oabs_text(oabs: list[dict[str, str]]) -> str:
    return ", ".join(f"{o.get('uf', '')}{o.get('numero', '')}" for o in oabs) or "-"


@click.group("advogados", cls=OneLineGroup)
def command() -> None:
    """Lawyers whose cases are captured (CPF shown masked)."""


@command.command("add")
@click.option("--nome", required=True, help="Full name (nome completo).")
@click.option("--cpf", required=True, help="CPF, with or without punctuation.")
@click.option("--oab", "oabs", multiple=True, metavar="UF123456", help="OAB registration; repeat for several.")
def add(nome: str, cpf: str, oabs: tuple[str, ...]) -> None:
    """Add a lawyer and print the new id."""
    nome_completo = " ".join(nome.split())
    if not nome_completo:
        fail("--nome vazio: informe o nome completo do advogado")
    if len(nome_completo) > _MAX_NOME:
        fail(f"--nome longo demais (máximo {_MAX_NOME} caracteres)")
    try:
        digits = validate_cpf(cpf)
        parsed: list[Oab] = []
        for text in oabs:
            oab = validate_oab(text)
            if oab not in parsed:
                parsed.append(oab)
    except EntradaInvalida as exc:
        fail(exc.message)
    try:
        with session_scope(factory=session_factory()) as session:
            repo = AdvogadosRepository(session)
            existing = repo.by_cpf(cpf=digits)
            if existing is not None:
                fail(f"já existe o advogado {existing.id} com o CPF {mask_cpf(digits)}")
            new_id = repo.add(nome_completo=nome_completo, cpf=digits, oabs=[dict(o) for o in parsed]).id
    except IntegrityError:  # the same CPF inserted by another process in between
        fail(f"já existe um advogado com o CPF {mask_cpf(digits)} (gravado ao mesmo tempo por outro processo)")
    click.echo(new_id)


@command.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_(as_json: bool) -> None:
    """List lawyers: id, name, masked CPF, OABs and how many credentials each has."""
    with session_scope(factory=session_factory()) as session:
        rows: list[dict[str, Any]] = [
            {
                "id": row.id,
                "nome_completo": row.nome_completo,
                "cpf": mask_cpf(row.cpf),
                "oabs": list(row.oabs or []),
                "credenciais": len(row.credenciais),
            }
            for row in AdvogadosRepository(session).list()
        ]
    if as_json:
        echo_json(rows)
        return
    if not rows:
        click.echo("nenhum advogado cadastrado (use: sinesys advogados add --nome ... --cpf ...)")
        return
    click.echo(f"{'ID':>5}  {'CPF':<14}  {'CRED':>4}  {'OAB':<20}  NOME")
    for r in rows:
        click.echo(
            f"{r['id']:>5}  {r['cpf']:<14}  {r['credenciais']:>4}  {_oabs_text(r['oabs']):<20}  {r['nome_completo']}"
        )
