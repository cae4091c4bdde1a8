"""The folder document store: PDFs kept by tribunal, grau, case and document, with digest and size."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from sinesys_spiders.core.config import Settings
from sinesys_spiders.core.documentos import DocumentStore, PastaDocumentStore, open_document_store

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_put_then_get_gives_the_bytes_their_sha256_and_size(tmp_path: Path) -> None:
    """A stored document comes back byte for byte; its path names tribunal, grau, case and document."""
    store = PastaDocumentStore(tmp_path / "docs")
    assert isinstance(store, DocumentStore)
    guardado = store.put(tribunal="TRT3", grau="primeiro_grau", id_processo=10, id_documento=20, conteudo=PDF)
    assert guardado.caminho == "TRT3/primeiro_grau/10/20.pdf"
    assert guardado.sha256 == hashlib.sha256(PDF).hexdigest()
    assert guardado.tamanho == len(PDF)
    assert store.get(guardado.caminho) == PDF
    assert store.exists(guardado.caminho)
    assert not list((tmp_path / "docs").rglob("*.tmp"))


def test_a_second_put_replaces_the_file(tmp_path: Path) -> None:
    """Writing the same document again leaves one file with the new bytes."""
    store = PastaDocumentStore(tmp_path)
    store.put(tribunal="TRT3", grau="primeiro_grau", id_processo=1, id_documento=2, conteudo=PDF)
    again = store.put(tribunal="TRT3", grau="primeiro_grau", id_processo=1, id_documento=2, conteudo=PDF + b"x")
    assert store.get(again.caminho) == PDF + b"x"
    assert len(list(tmp_path.rglob("*.pdf"))) == 1


def test_paths_outside_the_folder_are_refused(tmp_path: Path) -> None:
    """A path that climbs out of the folder is an error, never read."""
    store = PastaDocumentStore(tmp_path / "docs")
    with pytest.raises(ValueError, match="fora da pasta"):
        store.get("../../etc/passwd")


def test_the_folder_comes_from_the_settings(tmp_path: Path) -> None:
    """SINESYS_DOCUMENTS_DIR, else var/documentos."""
    store = open_document_store(Settings(var_dir=tmp_path))
    assert isinstance(store, PastaDocumentStore)
    assert store.root == tmp_path / "documentos"
    assert open_document_store(Settings(documents_dir=tmp_path / "x")).root == tmp_path / "x"  # type: ignore[attr-defined]
