"""The PJE-TRT tribunal table (pje-api.md §4).

Base ``https://pje.trt{N}.jus.br``; login ``/primeirograu/login.seam`` or ``/segundograu/login.seam``;
the same REST API for both graus at ``/pje-comum-api/api``. The TST: ``https://pje.tst.jus.br``,
login ``/tst/login.seam``, grau ``tribunal_superior``.
"""

from __future__ import annotations

import enum

from sinesys_spiders.plugin import Grau, Tribunal, TribunalEndpoint, ecoar

__all__ = [
    "API_PATH",
    "GRAUS",
    "LOGIN_PATHS",
    "SSO_URL",
    "UF_POR_REGIAO",
    "TribunalTrt",
    "endpoints",
    "grau_numero",
    "ler_tribunal",
    "sso_client_id",
]

#: The graus of PJE-TRT: 1º and 2º grau at every TRT, the TST's single instance.
GRAUS: tuple[Grau, ...] = (Grau.PRIMEIRO_GRAU, Grau.SEGUNDO_GRAU, Grau.TRIBUNAL_SUPERIOR)


class TribunalTrt(enum.StrEnum):
    """The tribunals of this plugin: the 24 Regional Labour Courts and the TST."""

    TRT1 = "TRT1"
    TRT2 = "TRT2"
    TRT3 = "TRT3"
    TRT4 = "TRT4"
    TRT5 = "TRT5"
    TRT6 = "TRT6"
    TRT7 = "TRT7"
    TRT8 = "TRT8"
    TRT9 = "TRT9"
    TRT10 = "TRT10"
    TRT11 = "TRT11"
    TRT12 = "TRT12"
    TRT13 = "TRT13"
    TRT14 = "TRT14"
    TRT15 = "TRT15"
    TRT16 = "TRT16"
    TRT17 = "TRT17"
    TRT18 = "TRT18"
    TRT19 = "TRT19"
    TRT20 = "TRT20"
    TRT21 = "TRT21"
    TRT22 = "TRT22"
    TRT23 = "TRT23"
    TRT24 = "TRT24"
    TST = "TST"

    @property
    def regiao(self) -> int | None:
        """The region number (1..24) of a TRT, ``None`` for the TST."""
        return None if self is TribunalTrt.TST else int(self.value[3:])

    @property
    def graus(self) -> tuple[Grau, ...]:
        """The graus a credential may log into at this tribunal."""
        if self is TribunalTrt.TST:
            return (Grau.TRIBUNAL_SUPERIOR,)
        return (Grau.PRIMEIRO_GRAU, Grau.SEGUNDO_GRAU)

    @property
    def ordem(self) -> int:
        """Sort key: TRT order, the TST last (pje-api.md §4)."""
        return self.regiao or 99

    @property
    def codigo(self) -> Tribunal:
        """The code as the framework holds it."""
        return Tribunal(self.value)

    @classmethod
    def parse(cls, value: str) -> TribunalTrt:
        """Read ``TRT3``, ``trt03`` or ``tst``; raise ``ValueError`` with the accepted values otherwise."""
        found = ler_tribunal(value)
        if found is None:
            raise ValueError(f"tribunal desconhecido: {ecoar(value)} (use TRT1..TRT24 ou TST)")
        return found


def ler_tribunal(value: str) -> TribunalTrt | None:
    """``TRT3``, ``trt03`` or ``tst`` as one of this plugin's tribunals; ``None`` for anything else."""
    text = value.strip().upper()
    if text.startswith("TRT") and text[3:].isdigit():
        text = f"TRT{int(text[3:])}"
    try:
        return TribunalTrt(text)
    except ValueError:
        return None


def grau_numero(grau: str) -> int:
    """The ``grau=1|2`` parameter of PJE's document endpoints (the TST answers as 2)."""
    return 1 if grau == Grau.PRIMEIRO_GRAU else 2


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


def base_url(tribunal: str) -> str:
    trt = TribunalTrt(str(tribunal))
    if trt is TribunalTrt.TST:
        return "https://pje.tst.jus.br"
    return f"https://pje.trt{trt.regiao}.jus.br"


def sso_client_id(tribunal: str, grau: str) -> str:
    """Keycloak client id: ``pje-trt3-1g``; TRT7 is zero-padded (``pje-trt07-1g``); 2º grau ``-2g``."""
    trt = TribunalTrt(str(tribunal))
    if trt is TribunalTrt.TST:
        return "pje-tst"
    regiao = trt.regiao
    numero = f"{regiao:02d}" if regiao == 7 else str(regiao)
    sufixo = "1g" if grau == Grau.PRIMEIRO_GRAU else "2g"
    return f"pje-trt{numero}-{sufixo}"


def endpoints() -> list[TribunalEndpoint]:
    """Every TRT in both graus, then the TST."""
    out: list[TribunalEndpoint] = []
    for tribunal in TribunalTrt:
        for grau in tribunal.graus:
            regiao = tribunal.regiao
            out.append(
                TribunalEndpoint(
                    tribunal=tribunal.codigo,
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
