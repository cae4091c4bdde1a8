"""The OpenAPI 3.1 document, generated from the routes' :class:`~api.routing.Operacao` and their models."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from starlette.routing import BaseRoute, Route

from api.routing import Operacao
from api.schemas.base import ErroResposta

__all__ = ["gerar_openapi"]

_ERROS = {
    400: "Entrada inválida (cada campo e o motivo)",
    401: "Não autenticado",
    403: "Escopo insuficiente ou token CSRF ausente",
    404: "Id desconhecido",
    409: "Conflito com o estado atual",
    413: "Corpo grande demais",
    429: "Tentativas falhas demais deste endereço",
    500: "Erro interno (com error_id, que está no log)",
    503: "Serviço de capturas indisponível",
}
_SEGURANCA: list[dict[str, list[str]]] = [{"chaveServico": []}, {"bearer": []}, {"sessao": []}]


def _path(path: str) -> tuple[str, list[tuple[str, dict[str, Any]]]]:
    names: list[tuple[str, dict[str, Any]]] = []

    def _repl(match: re.Match[str]) -> str:
        inteiro = match.group(2) == ":int"
        names.append((match.group(1), {"type": "integer", "minimum": 1} if inteiro else {"type": "string"}))
        return "{" + match.group(1) + "}"

    return re.sub(r"\{(\w+)(:\w+)?\}", _repl, path), names


def gerar_openapi(routes: list[BaseRoute], *, title: str, version: str) -> dict[str, Any]:
    ops: list[tuple[str, Operacao]] = [
        (r.path, r.operacao) for r in routes if isinstance(r, Route) and hasattr(r, "operacao")
    ]
    models: dict[tuple[type[BaseModel], str], None] = {(ErroResposta, "serialization"): None}
    for _, op in ops:
        for model, mode in ((op.corpo, "validation"), (op.consulta, "validation"), (op.resposta, "serialization")):
            if model is not None:
                models[(model, mode)] = None
    keys, defs = models_json_schema(list(models), ref_template="#/components/schemas/{model}")  # type: ignore[arg-type]
    schemas: dict[str, Any] = defs.get("$defs", {})

    def ref(model: type[BaseModel], mode: str) -> dict[str, Any]:
        return keys[(model, mode)]  # type: ignore[index]

    def resolve(schema: dict[str, Any]) -> dict[str, Any]:
        if "$ref" in schema:
            definicao: dict[str, Any] = schemas[schema["$ref"].rsplit("/", 1)[1]]
            return definicao
        return schema

    paths: dict[str, Any] = {}
    for raw_path, op in ops:
        path, names = _path(raw_path)
        operation: dict[str, Any] = {
            "summary": op.resumo,
            "tags": [op.tag],
            "operationId": f"{op.metodo.lower()}_{re.sub(r'[^a-z0-9]+', '_', path.lower()).strip('_')}",
        }
        if op.descricao:
            operation["description"] = op.descricao
        params: list[dict[str, Any]] = [
            {"name": n, "in": "path", "required": True, "schema": schema} for n, schema in names
        ]
        if op.consulta is not None:
            query = resolve(ref(op.consulta, "validation"))
            required = set(query.get("required", []))
            for name, prop in query.get("properties", {}).items():
                param = {"name": name, "in": "query", "required": name in required, "schema": prop}
                if "description" in prop:
                    param["description"] = prop["description"]
                params.append(param)
        if params:
            operation["parameters"] = params
        if op.corpo is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": ref(op.corpo, "validation")}},
            }
        responses: dict[str, Any] = {}
        if op.resposta is not None:
            responses[str(op.status)] = {
                "description": "Sucesso",
                "content": {"application/json": {"schema": ref(op.resposta, "serialization")}},
            }
        else:
            responses[str(op.status)] = {"description": "Sucesso"}
        erro_ref = {"application/json": {"schema": ref(ErroResposta, "serialization")}}
        for status, text in _ERROS.items():
            if op.escopo is None and status in (401, 403) and status not in op.erros_extra:
                continue
            responses[str(status)] = {"description": text, "content": erro_ref}
        operation["responses"] = responses
        if op.escopo is not None:
            operation["security"] = _SEGURANCA
            operation["description"] = (operation.get("description", "") + f"\n\nEscopo: `{op.escopo.nome}`.").strip()
        else:
            operation["security"] = []
        paths.setdefault(path, {})[op.metodo.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "chaveServico": {"type": "apiKey", "in": "header", "name": "x-service-api-key"},
                "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "sessao": {"type": "apiKey", "in": "cookie", "name": "sinesys_sessao"},
            },
        },
        "security": _SEGURANCA,
    }
