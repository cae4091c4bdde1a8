"""A stored raw page read again into items, by its tribunal plugin's own parser, without any request.

A plugin's capture offers recovery by implementing :class:`CapturaReprocessavel` (``reprocessar``: the items a
stored page gives, as its capture made them). A capture type without it has no recovery rule
(:class:`SemRegraRecovery`). The lawyer's CPF, which the ``partes`` rule classifies parties with, is read as
the per-case spiders read it (the lawyer's CPF, else the credential's user).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from sinesys_spiders.core.capturas import CapturaPlugin, CapturaReprocessavel, ContextoCaptura, Pedido
from sinesys_spiders.core.capturas_processo import RespostaBinaria
from sinesys_spiders.core.db.models import Advogado, Credencial
from sinesys_spiders.core.domain import Grau, TipoCaptura, Tribunal
from sinesys_spiders.core.endpoints import EndpointResolver
from sinesys_spiders.core.errors import ConfiguracaoInvalida, PermanentError, SinesysError
from sinesys_spiders.core.items import describe_validation_error
from sinesys_spiders.core.rawlog import RegistroBruto
from sinesys_spiders.core.tribunais import PluginRegistry, TribunalEndpoint

__all__ = ["CapturaReprocessavel", "PayloadInvalido", "Releitor", "SemRegraRecovery"]


class SemRegraRecovery(PermanentError):
    """The page's capture type (or tribunal) has no recovery rule."""

    code = "SEM_REGRA_RECOVERY"


class PayloadInvalido(PermanentError):
    """The stored payload is not what the capture's parser reads (corrupt or truncated)."""

    code = "PAYLOAD_INVALIDO"


class Releitor:
    """Reads stored pages into items with the installed plugins (loaded once)."""

    def __init__(self, session_factory: sessionmaker[Session], registry: PluginRegistry | None = None) -> None:
        self._factory = session_factory
        self._registry = registry
        self._cpfs: dict[tuple[int | None, int | None], str | None] = {}
        self._endpoints: dict[tuple[Tribunal, Grau], TribunalEndpoint] = {}

    @property
    def registry(self) -> PluginRegistry:
        if self._registry is None:
            self._registry = PluginRegistry.from_entry_points()
        return self._registry

    def _captura(self, registro: RegistroBruto) -> tuple[CapturaReprocessavel, ContextoCaptura]:
        try:
            if registro.tribunal is None or registro.grau is None:
                raise ValueError("página sem tribunal ou grau")
            tipo = TipoCaptura(registro.tipo_captura)
            tribunal, grau = Tribunal(registro.tribunal), Grau(registro.grau)
        except ValueError:
            raise SemRegraRecovery(
                f"página de {registro.tipo_captura} em {registro.tribunal} {registro.grau}: "
                "tipo ou tribunal desconhecido"
            ) from None
        try:
            plugin = self.registry.plugin_for(tribunal, grau)
            endpoint = self._endpoint(tribunal, grau)
        except SinesysError:
            raise SemRegraRecovery(f"nenhum plugin instalado atende {tribunal.value} {grau.value}") from None
        captura = plugin.captura(tipo)
        if captura is None or not isinstance(captura, CapturaReprocessavel):
            raise SemRegraRecovery(f"o tipo {tipo.value} não tem regra de recuperação no plugin {plugin.name}")
        ctx = ContextoCaptura(
            tipo_captura=tipo,
            credencial_id=registro.credencial_id or 0,
            advogado_id=registro.advogado_id or 0,
            tribunal=tribunal,
            grau=grau,
            api_url=endpoint.api_url,
            id_advogado_externo=0,
        )
        return captura, ctx

    def _endpoint(self, tribunal: Tribunal, grau: Grau) -> TribunalEndpoint:
        """The endpoint the captures used (the database's override applied): URLs a restored row names are the
        ones it was fetched from. Only strings: nothing is requested, so an ``http`` override is taken as is."""
        if (tribunal, grau) not in self._endpoints:
            resolver = EndpointResolver(self._factory, self.registry, allow_http=True)
            try:
                self._endpoints[(tribunal, grau)] = resolver.get(tribunal, grau).endpoint
            except ConfiguracaoInvalida:  # a tampered override: the plugin's default
                self._endpoints[(tribunal, grau)] = self.registry.endpoint(tribunal, grau)
        return self._endpoints[(tribunal, grau)]

    def verificar(self, registro: RegistroBruto) -> None:
        """Raise :class:`SemRegraRecovery` when the page cannot be read again."""
        self._captura(registro)

    def itens(self, registro: RegistroBruto, *, captura_id: int | None = None) -> list[Any]:
        """The items the page gives (``captura_id`` stamped on them); :class:`PayloadInvalido` if it does not read."""
        captura, ctx = self._captura(registro)
        if captura_id is not None:
            ctx = dataclasses.replace(ctx, captura_id=captura_id)
        estado: dict[str, Any] = {"cpf_advogado": self._cpf(registro.advogado_id, registro.credencial_id)}
        try:
            return list(captura.reprocessar(ctx, registro.requisicao or {}, registro.payload_bruto, estado))
        except ValidationError as exc:
            raise PayloadInvalido(f"payload inválido: {describe_validation_error(exc)}") from None
        except SinesysError as exc:
            raise PayloadInvalido(f"payload inválido: {exc.message}") from None
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise PayloadInvalido(f"payload inválido ({type(exc).__name__})") from None

    def documento(self, registro: RegistroBruto, pedido: Pedido, conteudo: bytes, *, captura_id: int | None = None
                  ) -> list[Any]:  # fmt: skip
        """What the page's capture makes of a document's PDF kept in the document store (its own check, no request).

        ``pedido`` is one of the document requests the page gave (:meth:`itens`); the PDF is handed to the capture
        as the answer it would have received.
        """
        captura, ctx = self._captura(registro)
        if not isinstance(captura, CapturaPlugin):  # declared on the protocol: the capture's processar
            raise SemRegraRecovery(f"o tipo {registro.tipo_captura} não lê documentos")
        if captura_id is not None:
            ctx = dataclasses.replace(ctx, captura_id=captura_id)
        resposta = RespostaBinaria(pedido.url, 200, "application/pdf", conteudo)
        return list(captura.processar(ctx, pedido, resposta, {}))

    def _cpf(self, advogado_id: int | None, credencial_id: int | None) -> str | None:
        key = (advogado_id, credencial_id)
        if key not in self._cpfs:
            cpf = None
            with self._factory() as session:
                if advogado_id is not None:
                    cpf = session.scalar(select(Advogado.cpf).where(Advogado.id == advogado_id))
                if not cpf and credencial_id is not None:
                    cpf = session.scalar(select(Credencial.usuario).where(Credencial.id == credencial_id))
            self._cpfs[key] = cpf
        return self._cpfs[key]
