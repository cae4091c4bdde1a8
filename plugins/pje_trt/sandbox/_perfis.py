"""How much a lawyer has in one tribunal and grau, per scale (pje-api.md §8 for ``firm``)."""

from __future__ import annotations

import dataclasses

__all__ = ["CASOS_POR_ADVOGADO", "Perfil", "perfil"]

PRIMEIRO, SEGUNDO, SUPERIOR = "primeiro_grau", "segundo_grau", "tribunal_superior"

#: Cases a lawyer may hold in one tribunal and grau, per scale (id slots; advance stops adding beyond it).
CASOS_POR_ADVOGADO = {"tiny": 2_000, "small": 4_000, "firm": 20_000, "large": 60_000}


@dataclasses.dataclass(frozen=True, slots=True)
class Perfil:
    """Ranges ``(lo, hi)`` of how much a lawyer has in one tribunal and grau."""

    acervo: tuple[int, int]
    arquivados: tuple[int, int]
    pendentes_n: tuple[int, int]
    pendentes_i: tuple[int, int]
    audiencias_ano: tuple[int, int]


_TINY = Perfil((2, 5), (1, 3), (2, 3), (0, 1), (1, 3))
_SMALL = Perfil((10, 40), (10, 50), (3, 8), (1, 3), (3, 12))
_SMALL_2G = Perfil((3, 12), (2, 15), (1, 3), (0, 1), (0, 2))
_FIRM_TRT3 = Perfil((1119, 1279), (8769, 8978), (37, 85), (9, 22), (19, 51))
_FIRM_MEDIO = {"TRT1": (205, 225), "TRT4": (75, 83), "TRT5": (200, 218), "TRT7": (230, 248)}
_FIRM_PEQUENO = Perfil((0, 20), (0, 40), (0, 3), (0, 1), (0, 4))
_FIRM_2G = Perfil((0, 15), (0, 30), (0, 3), (0, 1), (0, 0))
_FIRM_TRT3_2G = Perfil((100, 180), (150, 300), (4, 10), (1, 3), (0, 0))
_FIRM_TST = Perfil((20, 40), (20, 60), (0, 3), (0, 0), (0, 0))
_LARGE_TRT3 = Perfil((12_000, 12_600), (30_000, 31_000), (300, 360), (70, 90), (250, 320))
_LARGE_MEDIO = Perfil((1_500, 2_500), (2_000, 3_000), (20, 40), (5, 10), (30, 60))
_LARGE_PEQUENO = Perfil((150, 400), (100, 300), (2, 8), (0, 3), (5, 15))
_LARGE_2G = Perfil((50, 200), (50, 300), (1, 6), (0, 2), (0, 0))
_LARGE_TRT3_2G = Perfil((1_200, 1_600), (1_000, 2_000), (20, 40), (5, 10), (0, 0))
_LARGE_TST = Perfil((200, 400), (200, 400), (2, 6), (0, 2), (0, 0))


def perfil(scale: str, tribunal: str, grau: str, user_index: int) -> Perfil:
    """How much the ``user_index``-th lawyer has in ``tribunal``/``grau``.

    The first lawyer (index 0) is the firm's main lawyer and carries the scale; the others get the ``tiny`` or
    ``small`` profile (``small`` for every scale above ``tiny``) so that many users stay cheap.
    """
    if scale == "tiny":
        return _TINY
    if scale == "small" or user_index > 0:
        return _SMALL if grau == PRIMEIRO else _SMALL_2G
    if scale == "firm":
        if grau == SUPERIOR:
            return _FIRM_TST
        if grau == SEGUNDO:
            return _FIRM_TRT3_2G if tribunal == "TRT3" else _FIRM_2G
        if tribunal == "TRT3":
            return _FIRM_TRT3
        if tribunal in _FIRM_MEDIO:
            lo, hi = _FIRM_MEDIO[tribunal]
            return Perfil((lo, hi), (lo * 3, hi * 5), (5, 15), (1, 4), (5, 15))
        return _FIRM_PEQUENO
    if scale == "large":
        if grau == SUPERIOR:
            return _LARGE_TST
        if grau == SEGUNDO:
            return _LARGE_TRT3_2G if tribunal == "TRT3" else _LARGE_2G
        if tribunal == "TRT3":
            return _LARGE_TRT3
        if tribunal in ("TRT1", "TRT2", "TRT4", "TRT5", "TRT15"):
            return _LARGE_MEDIO
        return _LARGE_PEQUENO
    raise ValueError(f"escala desconhecida: {scale!r} (use tiny, small, firm ou large)")
