"""The PJE-TRT tribunal table (pje-api.md §4).

Base ``https://pje.trt{N}.jus.br``; login ``/primeirograu/login.seam`` or ``/segundograu/login.seam``;
the same REST API for both graus at ``/pje-comum-api/api``. The TST: ``https://pje.tst.jus.br``,
login ``/tst/login.seam``, grau ``tribunal_superior``.
"""

from __future__ import annotations

from sinesys_spiders.plugin import Grau, Tribunal, TribunalEndpoint

__all__ = ["API_PATH", "LOGIN_PATHS", "SSO_URL", "UF_POR_REGIAO", "endpoints", "sso_client_id"]

API_PATH = "/pje-comum-api/api"

#: The PDPJ single sign-on (Keycloak) every PJE-TRT tribunal sends its users to (pje-api.md §1).
SSO_URL = "https://sso.cloud.pje.jus.br"

LOGIN_PATHS: dict[Grau, str] = {
    Grau.PRIMEIRO_GRAU: "/primeirograu/login.seam",
    Grau.SEGUNDO_GRAU: "/segundograu/login.seam",
    Grau.TRIBUNAL_SUPERIOR: "/tst/login.seam",
}

UF_POR_REGIAO: dict[int, str] = {
    1: "RJ", 2: "SP", 3: "MG", 4: "RS", 5: "BA", 6: "PE", 7: "CE", 8: "PA", 9: "PR", 10: "DF",
    11: "AM", 12: "SC", 13: "PB", 14: "RO", 15: "SP", 16: "MA", 17: "ES", 18: "GO", 19: "AL",
    20: "SE", 21: "RN", 22: "PI", 23: "MT", 24: "MS",
}  # fmt: skip


def base_url(tribunal: Tribunal) -> str:
    if tribunal is Tribunal.TST:
        return "https://pje.tst.jus.br"
    return f"https://pje.trt{tribunal.regiao}.jus.br"


def sso_client_id(tribunal: Tribunal, grau: Grau) -> str:
    """Keycloak client id: ``pje-trt3-1g``; TRT7 is zero-padded (``pje-trt07-1g``); 2º grau ``-2g``."""
    if tribunal is Tribunal.TST:
        return "pje-tst"
    regiao = tribunal.regiao
    numero = f"{regiao:02d}" if regiao == 7 else str(regiao)
    sufixo = "1g" if grau is Grau.PRIMEIRO_GRAU else "2g"
    return f"pje-trt{numero}-{sufixo}"


def endpoints() -> list[TribunalEndpoint]:
    """Every TRT in both graus, then the TST."""
    out: list[TribunalEndpoint] = []
    for tribunal in Tribunal:
        for grau in tribunal.graus:
            regiao = tribunal.regiao
            out.append(
                TribunalEndpoint(
                    tribunal=tribunal,
                    grau=grau,
                    sistema="PJE",
                    base_url=base_url(tribunal),
                    login_path=LOGIN_PATHS[grau],
                    api_path=API_PATH,
                    nome=(
                        "Tribunal Superior do Trabalho"
                        if regiao is None
                        else f"Tribunal Regional do Trabalho da {regiao}ª Região"
                    ),
                    uf=UF_POR_REGIAO.get(regiao) if regiao else "DF",
                    sso_url=SSO_URL,
                )
            )
    return out
