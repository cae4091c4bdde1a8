"""Scrapy's log formatter, with items named by who and where they are, never by what they say about people.

Scrapy logs an item's ``repr`` when it is scraped (DEBUG), dropped (WARNING by default) or makes a pipeline fail
(ERROR). A capture item holds parties' names, and a raw page or a partes item their CPFs, so those lines would put
personal data in every log a firm keeps. Sinesys items already show only their identity in ``repr``
(:data:`~sinesys_spiders.core.items.CAMPOS_IDENTIDADE`: tribunal, grau, ``id_externo``, ``raw_ref``...); any other item
(a third-party plugin's dict, ``scrapy.Item`` or dataclass) is described here the same way, by its type and those
fields alone. Enabled by ``LOG_FORMATTER`` in :mod:`sinesys_spiders.settings`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy import logformatter

from sinesys_spiders.core.items import CAMPOS_IDENTIDADE, ItemCaptura, ItemInvalido, Lote, PaginaBruta
from sinesys_spiders.core.items_processo import ItemProcesso

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.http import Response
    from twisted.python.failure import Failure

__all__ = ["LogFormatter", "descrever_item"]

#: Item types whose ``repr`` shows only their identity.
_REPR_SEGURO = (ItemCaptura, ItemInvalido, PaginaBruta, ItemProcesso, Lote)


def descrever_item(item: Any) -> str:
    """``item`` for a log line: its type and identity fields (``Processo(tribunal=..., id_externo=...)``) only."""
    if isinstance(item, _REPR_SEGURO):
        return repr(item)
    nome = type(item).__name__
    if not ItemAdapter.is_item(item):
        return f"<{nome}>"
    try:
        campos = ItemAdapter(item)
        pares = [f"{campo}={campos[campo]!r}" for campo in CAMPOS_IDENTIDADE if campos.get(campo) is not None]
    except Exception:  # an odd item must not break the logging of its own failure
        pares = []
    return f"{nome}({', '.join(pares)})"


class LogFormatter(logformatter.LogFormatter):
    """Scrapy's messages and levels, with :func:`descrever_item` in place of the item's ``repr``."""

    def scraped(
        self, item: Any, response: Response | Failure | None, spider: Spider
    ) -> logformatter.LogFormatterResult:
        return _descrito(super().scraped(item, response, spider), item)

    def dropped(
        self, item: Any, exception: BaseException, response: Response | Failure | None, spider: Spider
    ) -> logformatter.LogFormatterResult:
        return _descrito(super().dropped(item, exception, response, spider), item)

    def item_error(
        self, item: Any, exception: BaseException, response: Response | Failure | None, spider: Spider
    ) -> logformatter.LogFormatterResult:
        return _descrito(super().item_error(item, exception, response, spider), item)


class _Descricao:
    """The item's description, made only when a handler formats the line (a scraped lote at DEBUG usually is not)."""

    __slots__ = ("item",)

    def __init__(self, item: Any) -> None:
        self.item = item

    def __str__(self) -> str:
        return descrever_item(self.item)

    __repr__ = __str__


def _descrito(result: logformatter.LogFormatterResult, item: Any) -> logformatter.LogFormatterResult:
    args = result.get("args")
    if isinstance(args, dict) and "item" in args:
        result["args"] = {**args, "item": _Descricao(item)}
    return result
