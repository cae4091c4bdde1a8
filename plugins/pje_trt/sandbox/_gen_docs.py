"""Identifiers with check digits (pje-api.md §8): CNJ case numbers, CPFs, CNPJs, OABs, and seeded RNGs.

Every random choice of the sandbox comes from :func:`derive_rng`, a ``random.Random`` seeded from a tuple such as
``(seed, "caso", "TRT3", "primeiro_grau", 0, 17)``: the same tuple always yields the same stream, whatever else was
generated before, so any entity can be built lazily and rebuilt identically.
"""

from __future__ import annotations

import operator
import random
import re

__all__ = [
    "CNJ_RE",
    "IdPermutation",
    "cnj_digito",
    "cnpj_digitos",
    "cpf_digitos",
    "derive_rng",
    "formatar_cnpj",
    "formatar_cpf",
    "gerar_cnpj",
    "gerar_cpf",
    "montar_cnj",
    "validar_cnj",
    "validar_cnpj",
    "validar_cpf",
]

CNJ_RE = re.compile(r"^(\d{7})-(\d{2})\.(\d{4})\.(\d)\.(\d{2})\.(\d{4})$")


def derive_rng(*parts: object) -> random.Random:
    """A ``random.Random`` seeded from ``parts`` (string seeding hashes with SHA-512: stable across runs)."""
    return random.Random("|".join(map(str, parts)))


class IdPermutation:
    """A bijection from slot numbers ``0..span-1`` onto ids ``base..base+span-1`` that looks scattered.

    Lets ids be computed (and inverted) from a slot, so entities need no global counter and stay lazy.
    """

    __slots__ = ("_inv", "base", "mult", "offset", "span")

    def __init__(self, base: int, span: int, *, offset: int = 0, mult: int | None = None) -> None:
        import math

        mult = mult or int(span * 0.6180339887) | 1
        while math.gcd(mult, span) != 1:
            mult += 2
        self.base, self.span, self.mult, self.offset = base, span, mult, offset % span
        self._inv = pow(mult, -1, span)

    def id(self, slot: int) -> int:
        if not 0 <= slot < self.span:
            raise ValueError(f"slot {slot} outside 0..{self.span - 1}")
        return self.base + ((slot + self.offset) * self.mult) % self.span

    def slot(self, value: int) -> int | None:
        """The slot of ``value``, or ``None`` when ``value`` is outside the range."""
        offset = value - self.base
        if not 0 <= offset < self.span:
            return None
        return (offset * self._inv - self.offset) % self.span


# -- CNJ ------------------------------------------------------------------------------------------------------


def cnj_digito(sequencial: int, ano: int, justica: int, tribunal: int, origem: int) -> int:
    """DD = 98 - (NNNNNNN AAAA J TR OOOO 00 mod 97)."""
    base = int(f"{sequencial:07d}{ano:04d}{justica:d}{tribunal:02d}{origem:04d}00")
    return 98 - base % 97


def montar_cnj(sequencial: int, ano: int, tribunal: int, origem: int, justica: int = 5) -> str:
    """``NNNNNNN-DD.AAAA.J.TR.OOOO`` with its check digits."""
    dd = cnj_digito(sequencial, ano, justica, tribunal, origem)
    return f"{sequencial:07d}-{dd:02d}.{ano:04d}.{justica:d}.{tribunal:02d}.{origem:04d}"


def validar_cnj(numero: str) -> bool:
    m = CNJ_RE.match(numero)
    if not m:
        return False
    nnn, dd, ano, j, tr, oooo = m.groups()
    return int(dd) == cnj_digito(int(nnn), int(ano), int(j), int(tr), int(oooo))


# -- CPF ------------------------------------------------------------------------------------------------------


def cpf_digitos(base9: str) -> str:
    """The two check digits of a CPF from its first nine digits."""
    digits = list(map(int, base9))
    dv1 = sum(map(operator.mul, digits, range(10, 1, -1))) * 10 % 11 % 10
    dv2 = (sum(map(operator.mul, digits, range(11, 2, -1))) + dv1 * 2) * 10 % 11 % 10
    return f"{dv1}{dv2}"


def gerar_cpf(rng: random.Random) -> str:
    """Eleven digits with valid check digits, never all equal."""
    while True:
        base = f"{rng.randrange(1, 10**9):09d}"
        if len(set(base)) > 1:
            return base + cpf_digitos(base)


def validar_cpf(cpf: str) -> bool:
    digits = re.sub(r"\D", "", cpf)
    if len(digits) != 11 or len(set(digits)) == 1:
        return False
    return cpf_digitos(digits[:9]) == digits[9:]


def formatar_cpf(cpf: str) -> str:
    return f"{cpf[:3]}.{cpf[3:6]}.{cpf[6:9]}-{cpf[9:]}"


# -- CNPJ -----------------------------------------------------------------------------------------------------

_CNPJ_W1 = (5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)
_CNPJ_W2 = (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2)


def cnpj_digitos(base12: str) -> str:
    digits = [int(c) for c in base12]
    for weights in (_CNPJ_W1, _CNPJ_W2):
        r = sum(d * w for d, w in zip(digits, weights, strict=True)) % 11
        digits.append(0 if r < 2 else 11 - r)
    return f"{digits[-2]}{digits[-1]}"


def gerar_cnpj(rng: random.Random) -> str:
    """Fourteen digits (branch 0001 mostly) with valid check digits."""
    raiz = f"{rng.randrange(1, 10**8):08d}"
    filial = "0001" if rng.random() < 0.85 else f"{rng.randrange(2, 60):04d}"
    base = raiz + filial
    return base + cnpj_digitos(base)


def validar_cnpj(cnpj: str) -> bool:
    digits = re.sub(r"\D", "", cnpj)
    if len(digits) != 14 or len(set(digits)) == 1:
        return False
    return cnpj_digitos(digits[:12]) == digits[12:]


def formatar_cnpj(cnpj: str) -> str:
    return f"{cnpj[:2]}.{cnpj[2:5]}.{cnpj[5:8]}/{cnpj[8:12]}-{cnpj[12:]}"
