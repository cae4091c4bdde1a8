"""Where downloaded PDFs are kept: a folder under ``SINESYS_DOCUMENTS_DIR`` now, other stores later.

A store has four calls (:class:`DocumentStore`): ``put`` writes a document's bytes under a key made of
its tribunal, grau, case and document ids and returns where it went with its sha256 and size; ``get``
reads it back; ``exists`` tells whether a path is there; ``caminho`` says where a document would be (recovery
looks there for a document whose row is missing). :class:`PastaDocumentStore` writes
``<root>/<tribunal>/<grau>/<id_processo>/<id_documento>.pdf`` atomically (a temporary file renamed), so
a crash never leaves half a PDF under a final name. The database row (``documentos``) keeps the path,
digest, size and provenance (:mod:`sinesys_spiders.core.persistencia_processo`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
from pathlib import Path
from typing import Protocol, runtime_checkable

from sinesys_spiders.core.config import Settings, get_settings
from sinesys_spiders.core.privado import pasta_privada

__all__ = ["DocumentStore", "DocumentoGuardado", "PastaDocumentStore", "open_document_store"]


@dataclasses.dataclass(frozen=True, slots=True)
class DocumentoGuardado:
    """Where a document went, and what it was."""

    caminho: str
    sha256: str
    tamanho: int


@runtime_checkable
class DocumentStore(Protocol):
    """Bytes of downloaded documents, by key."""

    def put(
        self, *, tribunal: str, grau: str, id_processo: int, id_documento: int, conteudo: bytes
    ) -> DocumentoGuardado:
        """Store (or replace) one document; return its path, sha256 and size."""
        ...

    def get(self, caminho: str) -> bytes:
        """The bytes stored at ``caminho``; ``FileNotFoundError`` when there are none."""
        ...

    def exists(self, caminho: str) -> bool: ...

    def caminho(self, *, tribunal: str, grau: str, id_processo: int, id_documento: int) -> str:
        """Where ``put`` stores (or stored) that document."""
        ...


class PastaDocumentStore:
    """Documents as files under one folder (created on first write)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"PastaDocumentStore({str(self.root)!r})"

    def _path(self, caminho: str) -> Path:
        path = (self.root / caminho).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError("caminho de documento fora da pasta de documentos")
        return path

    def caminho(self, *, tribunal: str, grau: str, id_processo: int, id_documento: int) -> str:
        return f"{tribunal}/{grau}/{int(id_processo)}/{int(id_documento)}.pdf"

    def put(
        self, *, tribunal: str, grau: str, id_processo: int, id_documento: int, conteudo: bytes
    ) -> DocumentoGuardado:
        caminho = self.caminho(tribunal=tribunal, grau=grau, id_processo=id_processo, id_documento=id_documento)
        path = self._path(caminho)
        pasta_privada(path.parent)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with os.fdopen(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "wb") as fh:
            os.fchmod(fh.fileno(), 0o600)
            fh.write(conteudo)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        return DocumentoGuardado(caminho=caminho, sha256=hashlib.sha256(conteudo).hexdigest(), tamanho=len(conteudo))

    def get(self, caminho: str) -> bytes:
        return self._path(caminho).read_bytes()

    def exists(self, caminho: str) -> bool:
        return self._path(caminho).is_file()


def open_document_store(settings: Settings | None = None) -> DocumentStore:
    """The configured store: the folder ``SINESYS_DOCUMENTS_DIR`` (default ``var/documentos``)."""
    settings = settings or get_settings()
    return PastaDocumentStore(settings.effective_documents_dir)
