"""The batched upsert on natural keys: insert, unchanged, changed with versions, duplicates, races."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from sinesys_spiders.core.db.engine import make_session_factory
from sinesys_spiders.core.db.models import Advogado, CapturaLog, Credencial, RegistroVersao
from sinesys_spiders.core.db.models import Audiencia as AudienciaModel
from sinesys_spiders.core.db.models import Expediente as ExpedienteModel
from sinesys_spiders.core.db.models import Processo as ProcessoModel
from sinesys_spiders.core.items import Audiencia, Expediente, Processo
from sinesys_spiders.core.upsert import upsert_items

UTC = dt.UTC


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def ids(factory: sessionmaker[Session]) -> dict[str, int]:
    """A lawyer with two credentials and two capture-log rows (the foreign keys items point to)."""
    with factory.begin() as session:
        advogado = Advogado(nome_completo="ADVOGADA TESTE", cpf="52998224725")
        session.add(advogado)
        session.flush()
        cred_a = Credencial(advogado_id=advogado.id, tribunal="TRT3", grau="primeiro_grau", senha_cifrada=b"x")
        cred_b = Credencial(advogado_id=advogado.id, tribunal="TRT5", grau="segundo_grau", senha_cifrada=b"x")
        cap1 = CapturaLog(tipo_captura="acervo_geral", credencial_ids=[], status="in_progress")
        cap2 = CapturaLog(tipo_captura="acervo_geral", credencial_ids=[], status="in_progress")
        session.add_all([cred_a, cred_b, cap1, cap2])
        session.flush()
        return {"advogado": advogado.id, "a": cred_a.id, "b": cred_b.id, "cap1": cap1.id, "cap2": cap2.id}


def cnj(n: int, tr: str = "03") -> str:
    return f"{n:07d}-00.2025.5.{tr}.0001"


def processo(ids: dict[str, int], n: int, *, cred: str = "a", cap: str = "cap1", **extra: Any) -> Processo:
    tribunal, grau, tr = ("TRT3", "primeiro_grau", "03") if cred == "a" else ("TRT5", "segundo_grau", "05")
    fields: dict[str, Any] = {
        "id_externo": 1_000_000 + n,
        "tribunal": tribunal,
        "grau": grau,
        "advogado_id": ids["advogado"],
        "credencial_id": ids[cred],
        "captura_id": ids[cap],
        "numero_processo": cnj(n, tr),
        "numero": n,
        "origem": "acervo_geral",
        "classe_judicial": "ATOrd",
        "nome_parte_autora": f"AUTOR {n}",
        "data_autuacao": "2025-07-11T11:12:15.261",
        "segredo_de_justica": False,
        **extra,
    }
    return Processo(**fields)


def run(factory: sessionmaker[Session], items: list[Any], captura_id: int | None = None) -> dict[str, int]:
    with factory.begin() as session:
        result = upsert_items(session, items, captura_id=captura_id)
    return result.total.as_dict()


def count(factory: sessionmaker[Session], model: type) -> int:
    with factory() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_insert_then_unchanged_then_changed_with_version(factory: sessionmaker[Session], ids: dict[str, int]) -> None:
    """New rows are inserted; the same data again writes nothing; a change updates and keeps the old version."""
    first = [processo(ids, n) for n in range(1, 6)]
    assert run(factory, first) == {"inseridos": 5, "atualizados": 0, "inalterados": 0, "duplicados": 0, "erros": 0}
    with factory() as session:
        before = session.execute(select(ProcessoModel).where(ProcessoModel.id_externo == 1_000_003)).scalar_one()
        updated_at = before.updated_at

    again = [processo(ids, n, cap="cap2") for n in range(1, 6)]
    assert run(factory, again)["inalterados"] == 5
    with factory() as session:
        row = session.execute(select(ProcessoModel).where(ProcessoModel.id_externo == 1_000_003)).scalar_one()
        assert row.updated_at == updated_at
        assert row.ultima_captura_id == ids["cap1"]
    assert count(factory, RegistroVersao) == 0

    changed = [processo(ids, n, cap="cap2") for n in range(1, 6)]
    changed[2] = processo(ids, 3, cap="cap2", origem="arquivado", data_arquivamento="2025-10-01T10:00:00")
    assert run(factory, changed) == {"inseridos": 0, "atualizados": 1, "inalterados": 4, "duplicados": 0, "erros": 0}
    with factory() as session:
        row = session.execute(select(ProcessoModel).where(ProcessoModel.id_externo == 1_000_003)).scalar_one()
        assert row.origem == "arquivado"
        assert row.data_arquivamento == dt.datetime(2025, 10, 1, 13, 0, tzinfo=UTC)
        assert row.ultima_captura_id == ids["cap2"]
        [versao] = session.scalars(select(RegistroVersao)).all()
        assert versao.tabela == "acervo"
        assert versao.registro_id == row.id
        assert sorted(versao.campos_alterados) == ["data_arquivamento", "origem"]
        assert versao.versao["origem"] == "acervo_geral"
        assert versao.versao["data_arquivamento"] is None
        assert versao.captura_log_id == ids["cap2"]
    assert count(factory, ProcessoModel) == 5


def test_every_previous_version_is_kept(factory: sessionmaker[Session], ids: dict[str, int]) -> None:
    """Three successive values of a field leave two previous versions, oldest first."""
    for name in ("A", "B", "C"):
        run(factory, [processo(ids, 1, nome_parte_re=name)])
    with factory() as session:
        versions = session.scalars(select(RegistroVersao).order_by(RegistroVersao.id)).all()
    assert [v.versao["nome_parte_re"] for v in versions] == ["A", "B"]
    assert all(v.campos_alterados == ["nome_parte_re"] for v in versions)


def test_provenance_alone_is_not_a_change(factory: sessionmaker[Session], ids: dict[str, int]) -> None:
    """Another capture, credential id or raw page of identical data is not an update."""
    run(factory, [processo(ids, 1)])
    same = processo(ids, 1, cap="cap2", raw_ref="outra-pagina")
    assert run(factory, [same], captura_id=ids["cap2"])["inalterados"] == 1


def test_duplicates_in_a_batch_are_collapsed(factory: sessionmaker[Session], ids: dict[str, int]) -> None:
    """A case seen twice in one batch (pages shifting under pagination) is stored once, the last version."""
    items = [processo(ids, 1, nome_parte_re="OLD"), processo(ids, 2), processo(ids, 1, nome_parte_re="NEW")]
    assert run(factory, items) == {"inseridos": 2, "atualizados": 0, "inalterados": 0, "duplicados": 1, "erros": 0}
    with factory() as session:
        names = session.scalars(select(ProcessoModel.nome_parte_re).where(ProcessoModel.id_externo == 1_000_001)).all()
    assert names == ["NEW"]


def test_counts_are_per_credential(factory: sessionmaker[Session], ids: dict[str, int]) -> None:
    """Each credential gets its own counts; the same id_externo at another tribunal is another case."""
    with factory.begin() as session:
        result = upsert_items(session, [processo(ids, 1), processo(ids, 2), processo(ids, 1, cred="b")])
    assert result.contagem(ids["a"]).inseridos == 2
    assert result.contagem(ids["b"]).inseridos == 1
    assert count(factory, ProcessoModel) == 3


def test_a_row_inserted_meanwhile_is_compared_not_duplicated(
    factory: sessionmaker[Session], ids: dict[str, int]
) -> None:
    """When another worker inserts a key after our read, the unique violation becomes a comparison."""
    from sinesys_spiders.core import upsert as mod

    with factory.begin() as other:
        upsert_items(other, [processo(ids, 7)])
    out = mod.ResultadoUpsert()
    with factory.begin() as session:
        batch = mod._TableBatch(session, mod.table_for(Processo), None, out)
        stale = [processo(ids, 7, nome_parte_re="MUDOU"), processo(ids, 8)]  # our read said: both new
        batch._insert([(item, mod._row_for(batch.spec, item, None)) for item in stale])
    assert (out.total.inseridos, out.total.atualizados, out.total.erros) == (1, 1, 0)
    assert count(factory, ProcessoModel) == 2
    assert count(factory, RegistroVersao) == 1


def test_text_too_long_for_its_column_is_an_error_not_a_crash(
    factory: sessionmaker[Session], ids: dict[str, int]
) -> None:
    """An oversized value fails only its own item, with the reason; the rest of the batch is stored."""
    items = [processo(ids, 1, classe_judicial="X" * 31), processo(ids, 2)]
    with factory.begin() as session:
        result = upsert_items(session, items)
    assert result.total.erros == 1
    assert result.total.inseridos == 1
    [erro] = result.erros
    assert erro.id_externo == 1_000_001
    assert "classe_judicial" in erro.motivo


def expediente(ids: dict[str, int], doc: int, **extra: Any) -> Expediente:
    fields: dict[str, Any] = {
        "id_externo": 1_000_001,
        "tribunal": "TRT3",
        "grau": "primeiro_grau",
        "advogado_id": ids["advogado"],
        "credencial_id": ids["a"],
        "captura_id": ids["cap1"],
        "numero_processo": cnj(1),
        "numero": 1,
        "id_documento": doc,
        "agrupador": "N",
        "data_criacao_expediente": "2025-11-07T15:30:12.5",
        "data_prazo_legal_parte": "2025-11-17T23:59:59.999999",
        **extra,
    }
    return Expediente(**fields)


def test_expedientes_key_on_document(factory: sessionmaker[Session], ids: dict[str, int]) -> None:
    """Two documents of one case are two expedientes; a new deadline updates its own row only."""
    assert run(factory, [expediente(ids, 10), expediente(ids, 11)])["inseridos"] == 2
    result = run(factory, [expediente(ids, 10), expediente(ids, 11, data_prazo_legal_parte="2025-11-20T23:59:59")])
    assert (result["inalterados"], result["atualizados"]) == (1, 1)
    with factory() as session:
        rows = session.scalars(select(ExpedienteModel).order_by(ExpedienteModel.id_documento)).all()
    assert [r.data_prazo_legal_parte for r in rows] == [
        dt.datetime(2025, 11, 18, 2, 59, 59, 999999, tzinfo=UTC),
        dt.datetime(2025, 11, 21, 2, 59, 59, tzinfo=UTC),
    ]


def test_expediente_without_creation_date_is_stable(factory: sessionmaker[Session], ids: dict[str, int]) -> None:
    """A missing creation date uses the table's placeholder, so a second run still finds the row."""
    run(factory, [expediente(ids, 12, data_criacao_expediente=None)])
    assert run(factory, [expediente(ids, 12, data_criacao_expediente=None)])["inalterados"] == 1
    assert count(factory, ExpedienteModel) == 1


def test_audiencias_with_times_and_json(factory: sessionmaker[Session], ids: dict[str, int]) -> None:
    """Hearings keep times and JSON fields, and compare equal after a round trip through the database."""
    aud = Audiencia(
        id_externo=4_321_987,
        tribunal="TRT3",
        grau="primeiro_grau",
        advogado_id=ids["advogado"],
        credencial_id=ids["a"],
        captura_id=ids["cap1"],
        numero_processo=cnj(1),
        id_processo_externo=1_000_001,
        data_inicio="2026-03-04T09:30:00",
        hora_inicio="09:30:00",
        hora_fim="09:40:00",
        prioridades=[{"descricao": "Idoso"}],
        tipo_descricao="Una por videoconferência",
        tipo_codigo="UNA",
        modalidade="virtual",
    )
    assert run(factory, [aud])["inseridos"] == 1
    assert run(factory, [aud])["inalterados"] == 1
    with factory() as session:
        row = session.execute(select(AudienciaModel)).scalar_one()
    assert row.hora_inicio == dt.time(9, 30)
    assert row.data_inicio == dt.datetime(2026, 3, 4, 12, 30, tzinfo=UTC)
    assert row.prioridades == [{"descricao": "Idoso"}]
    assert row.modalidade == "virtual"


def test_expedientes_and_hearings_link_to_their_stored_case(
    factory: sessionmaker[Session], ids: dict[str, int]
) -> None:
    """An expediente or hearing of a stored case points to its acervo row; the link alone is not a change."""
    run(factory, [expediente(ids, 20)])  # the case is not stored yet: no link
    run(factory, [processo(ids, 1)])
    assert run(factory, [expediente(ids, 20)])["inalterados"] == 1
    run(factory, [expediente(ids, 21)])
    with factory() as session:
        case_id = session.execute(select(ProcessoModel.id).where(ProcessoModel.id_externo == 1_000_001)).scalar_one()
        links = dict(session.execute(select(ExpedienteModel.id_documento, ExpedienteModel.processo_id)).all())
    assert links == {20: None, 21: case_id}
