"""The demo lawyers: CPF, password, TOTP secret, name and lawyer id per tribunal, all from the seed.

Codes are 30-second, 6-digit TOTP (PJE's) unless the sandbox was started with another period or
length (``--totp-period 2`` lets tests log the same user in again without waiting half a minute);
the users file then gives each secret as an ``otpauth://`` URI that carries them, which is what a
credential stores.
"""

from __future__ import annotations

import dataclasses
import string
from collections.abc import Sequence
from typing import Any

from plugins.pje_trt.sandbox._data import UF_POR_REGIAO, nome_pessoa
from plugins.pje_trt.sandbox._gen_docs import derive_rng, gerar_cpf
from plugins.pje_trt.tribunais import TribunalTrt as Tribunal
from sinesys_spiders.plugin import TOTP_DIGITS, TOTP_PERIOD, TotpSpec

__all__ = ["SandboxUser", "gerar_usuarios"]

_BASE32 = string.ascii_uppercase + "234567"


@dataclasses.dataclass(frozen=True)
class SandboxUser:
    """A demo lawyer: the credentials the simulated SSO accepts and their lawyer id in each tribunal."""

    cpf: str = dataclasses.field(repr=False)  # 11 digits, valid check digits
    senha: str = dataclasses.field(repr=False)
    totp_secret: str = dataclasses.field(repr=False)  # base32, for pyotp.TOTP
    nome: str
    id_usuario: int
    ids_advogado: dict[str, int]  # tribunal code -> lawyer id there (same for both graus)
    oab: str = ""  # "MG123456": how the lawyer appears among a case's representantes
    totp_period: int = TOTP_PERIOD  # seconds per time step
    totp_digits: int = TOTP_DIGITS

    @property
    def totp(self) -> TotpSpec:
        return TotpSpec(secret=self.totp_secret, period=self.totp_period, digits=self.totp_digits)

    def as_dict(self) -> dict[str, Any]:
        """The users file's entry: ``totp_secret`` as a credential stores it (a URI unless 30 s / 6 digits)."""
        return {**dataclasses.asdict(self), "totp_secret": self.totp.text()}


def gerar_usuarios(
    seed: int,
    n: int,
    tribunais: Sequence[Tribunal],
    *,
    totp_period: int = TOTP_PERIOD,
    totp_digits: int = TOTP_DIGITS,
) -> list[SandboxUser]:
    """``n`` users with distinct CPFs; lawyer ids are 5 digits and distinct per tribunal.

    The period and digits do not change the seeded data (same CPFs, passwords and secrets)."""
    usuarios: list[SandboxUser] = []
    cpfs: set[str] = set()
    for u in range(n):
        rng = derive_rng(seed, "usuario", u)
        cpf = gerar_cpf(rng)
        while cpf in cpfs:
            cpf = gerar_cpf(rng)
        cpfs.add(cpf)
        nome, _ = nome_pessoa(rng)
        uf = UF_POR_REGIAO[rng.randrange(1, 25)]
        ids = {t.value: 10_000 + (u * 7_919 + t.ordem * 1_237 + seed * 31) % 90_000 for t in tribunais}
        usuarios.append(
            SandboxUser(
                cpf=cpf,
                senha=f"Sandbox-{rng.randrange(10**6):06d}",
                totp_secret="".join(rng.choice(_BASE32) for _ in range(32)),
                nome=nome,
                id_usuario=500_000 + u * 131 + seed % 97,
                ids_advogado=ids,
                oab=f"{uf}{rng.randrange(60_000, 250_000)}",
                totp_period=totp_period,
                totp_digits=totp_digits,
            )
        )
    return usuarios
