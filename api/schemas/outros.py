"""Tribunals, authentication and health."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, SecretStr

from api.schemas.base import Corpo, Modelo

__all__ = [
    "Login",
    "LoginResposta",
    "Mensagem",
    "Saude",
    "TribunaisLista",
    "TribunalAtualizar",
    "TribunalSaida",
    "UsuarioAtual",
]

Url = Annotated[str, Field(min_length=1, max_length=500)]


class TribunalSaida(Modelo):
    id: str = Field(description="TRIBUNAL-grau, ex. TRT3-primeiro_grau")
    tribunal: str
    grau: str
    plugin: str
    nome: str
    base_url: str
    login_url: str
    api_url: str
    sso_url: str | None
    override: list[str]


class TribunaisLista(Modelo):
    tribunais: list[TribunalSaida]


class TribunalAtualizar(Corpo):
    """URL overrides; ``null`` keeps the current value (use the CLI's unset-url to go back to defaults)."""

    base_url: Url | None = None
    login_path: Url | None = None
    api_path: Url | None = None
    sso_url: Url | None = None


class Login(Corpo):
    login: Annotated[str, Field(min_length=1, max_length=64)]
    senha: SecretStr = Field(json_schema_extra={"format": "password"})


class UsuarioAtual(Modelo):
    tipo: str = Field(description="chave, jwt ou usuario")
    nome: str
    escopos: list[str]


class LoginResposta(Modelo):
    usuario: UsuarioAtual
    csrf_token: str = Field(description="Envie no cabeçalho x-csrf-token em POST, PUT e DELETE")


class Mensagem(Modelo):
    message: str


class Saude(Modelo):
    status: str
