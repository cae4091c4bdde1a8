"""Lawyers and credentials: listing shapes (never a secret) and onboarding bodies (secrets only in)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import Field, SecretStr, field_validator

from api.schemas.base import Consulta, Corpo, Id, Modelo, Paginacao

__all__ = [
    "AdvogadoAtualizar",
    "AdvogadoNovo",
    "AdvogadoSaida",
    "AdvogadosConsulta",
    "AdvogadosLista",
    "CredenciaisConsulta",
    "CredenciaisLista",
    "CredenciaisMapa",
    "CredencialAtualizar",
    "CredencialNova",
    "CredencialSaida",
    "Oab",
    "TwoFAuthEntrada",
]


class Oab(Corpo):
    numero: Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[0-9A-Za-z]+$")]
    uf: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]


class AdvogadoNovo(Corpo):
    nome_completo: Annotated[str, Field(min_length=1, max_length=255)]
    cpf: Annotated[str, Field(min_length=11, max_length=14, description="11 dígitos (pontos e hífen aceitos)")]
    oabs: list[Oab] = Field(default_factory=list, max_length=30)


class AdvogadoAtualizar(Corpo):
    nome_completo: Annotated[str, Field(min_length=1, max_length=255)] | None = None
    oabs: Annotated[list[Oab], Field(max_length=30)] | None = None


class AdvogadoSaida(Modelo):
    id: int
    nome_completo: str
    cpf: str = Field(description="Mascarado, salvo para o escopo admin")
    oabs: list[dict[str, Any]]
    ativo: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class AdvogadosConsulta(Paginacao):
    ativo: bool | None = None


class AdvogadosLista(Modelo):
    advogados: list[AdvogadoSaida]
    total: int
    pagina: int
    limite: int
    totalPaginas: int


class CredenciaisConsulta(Consulta):
    active: bool | None = Field(default=None, description="Só ativas (true) ou só inativas (false)")
    advogado_id: Id | None = None


class CredencialSaida(Modelo):
    id: int
    advogado_id: int
    advogado_nome: str
    advogado_cpf: str = Field(description="Mascarado, salvo para o escopo admin")
    advogado_oab: str | None
    advogado_uf_oab: str | None
    tribunal: str
    grau: str
    active: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class CredenciaisLista(Modelo):
    credenciais: list[CredencialSaida]
    tribunais_disponiveis: list[str]
    graus_disponiveis: list[str]


class MapaCredencial(Modelo):
    id: int
    grau: str
    active: bool


class MapaTribunal(Modelo):
    tribunal: str
    credenciais: list[MapaCredencial]


class MapaAdvogado(Modelo):
    advogado_id: int
    advogado_nome: str
    advogado_cpf: str
    tribunais: list[MapaTribunal]


class CredenciaisMapa(Modelo):
    advogados: list[MapaAdvogado]


class TwoFAuthEntrada(Corpo):
    url: Annotated[str, Field(min_length=1, max_length=500)]
    token: SecretStr = Field(json_schema_extra={"format": "password"})
    account_id: Annotated[int, Field(ge=1, le=2_147_483_647)]


class CredencialNova(Corpo):
    advogado_id: Id
    tribunal: Annotated[str, Field(min_length=1, max_length=8, description="TRT1..TRT24 ou TST")]
    grau: Annotated[str, Field(min_length=1, max_length=20, description="primeiro_grau, segundo_grau...")]
    senha: SecretStr = Field(json_schema_extra={"format": "password"})
    usuario: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    totp_secret: SecretStr | None = Field(default=None, json_schema_extra={"format": "password"})
    twofauth: TwoFAuthEntrada | None = None

    @field_validator("senha", "totp_secret", mode="after")
    @classmethod
    def _secret_limpo(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and "\x00" in value.get_secret_value():
            raise ValueError("contém caractere nulo")
        return value


class CredencialAtualizar(Corpo):
    senha: SecretStr | None = Field(default=None, json_schema_extra={"format": "password"})
    usuario: Annotated[str, Field(min_length=1, max_length=64)] | None = None
    totp_secret: SecretStr | None = Field(default=None, json_schema_extra={"format": "password"})
    twofauth: TwoFAuthEntrada | None = None
