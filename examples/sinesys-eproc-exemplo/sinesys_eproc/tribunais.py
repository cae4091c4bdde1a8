"""The eproc tribunal table: each tribunal and grau is its own eproc installation.

The real installations live on their own hosts; this example keeps each under a path prefix
(``/trf4/eproc1g``...) so that the simulator serves them all on one port. ``sinesys tribunais set-url``
replaces the host, never the paths.
"""

from __future__ import annotations

from sinesys_spiders.plugin import Grau, Tribunal, TribunalEndpoint

__all__ = ["TABELA", "endpoints"]

#: (tribunal, grau, base URL, path prefix, name, UF)
TABELA: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("TRF4", "primeiro_grau", "https://eproc1g.trf4.jus.br", "/trf4/eproc1g", "Justiça Federal da 4ª Região", "RS"),
    ("TRF4", "segundo_grau", "https://eproc2g.trf4.jus.br", "/trf4/eproc2g", "TRF da 4ª Região", "RS"),
    ("TJSC", "primeiro_grau", "https://eproc1g.tjsc.jus.br", "/tjsc/eproc1g", "TJ de Santa Catarina", "SC"),
    ("TJSC", "segundo_grau", "https://eproc2g.tjsc.jus.br", "/tjsc/eproc2g", "TJ de Santa Catarina", "SC"),
    ("TJTO", "primeiro_grau", "https://eproc1g.tjto.jus.br", "/tjto/eproc1g", "Tribunal de Justiça do Tocantins", "TO"),
)  # fmt: skip


def endpoints() -> list[TribunalEndpoint]:
    """One endpoint per installation: the login form and the REST prefix under its path prefix."""
    return [
        TribunalEndpoint(
            tribunal=Tribunal(tribunal),
            grau=Grau(grau),
            sistema="EPROC",
            base_url=base_url,
            login_path=f"{prefixo}/externo_controlador.php?acao=login",
            api_path=f"{prefixo}/api/v1",
            nome=nome,
            uf=uf,
        )
        for tribunal, grau, base_url, prefixo, nome, uf in TABELA
    ]
