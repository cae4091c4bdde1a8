"""The ``dados_origem`` columns: what a row keeps, in clear, of the record the tribunal answered.

The whole answer is kept once, encrypted, in the raw log (``captura_logs_brutos.payload_cifrado``) and can be read
and re-persisted from there (``sinesys recovery``). The copy a row keeps beside its typed columns is reduced to an
allowlist of fields that are no personal data (the tribunal's ids, codes, flags, dates of its own records): no
name, document number, e-mail, phone, street address, birth data or signature, which live either in a typed column
(the natural keys the upsert needs, listed in ``docs/security.md``) or only in the encrypted raw log.

Nothing reads the copy back but the upsert's change detection, so reducing it loses nothing the system uses. A
plugin declares its allowlists as dotted paths (``"pessoaFisica.id"`` keeps only that field of the nested
object; ``"estado"`` keeps the whole value) and reduces each record with :func:`reduzir` before it yields it.
Migration ``0006_i17`` reduced the rows written before.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["Campos", "campos", "reduzir"]

#: An allowlist compiled by :func:`campos`: a field kept whole (``None``) or the allowlist of its nested object.
Campos = Mapping[str, "Campos | None"]


def campos(caminhos: Iterable[str]) -> Campos:
    """Compile dotted paths (``"id"``, ``"pessoaFisica.id"``) into an allowlist for :func:`reduzir`."""
    out: dict[str, Any] = {}
    for caminho in caminhos:
        no = out
        *pais, folha = caminho.split(".")
        for pai in pais:
            filho = no.get(pai, {})
            if filho is None:  # the whole field is already kept
                break
            no = no.setdefault(pai, filho)
        else:
            no[folha] = None
    return out


def reduzir(dados: Mapping[str, Any] | None, permitidos: Campos) -> dict[str, Any] | None:
    """``dados`` with only the allowed fields (a nested object reduced by its own allowlist); ``None`` stays."""
    if dados is None:
        return None
    out: dict[str, Any] = {}
    for chave, valor in dados.items():
        if chave not in permitidos:
            continue
        aninhados = permitidos[chave]
        if aninhados is None:
            out[chave] = valor
        elif isinstance(valor, Mapping):
            out[chave] = reduzir(valor, aninhados)
        elif valor is None:
            out[chave] = None
    return out
