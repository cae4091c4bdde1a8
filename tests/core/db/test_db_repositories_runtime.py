"""History, raw log, locks, sessions and schedules round-trip through their repositories."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sinesys_spiders.core.crypto import Cipher
from sinesys_spiders.core.db.engine import make_session_factory
from sinesys_spiders.core.db.repositories import (
    AdvogadosRepository,
    AgendamentosRepository,
    CapturasLogRepository,
    CredenciaisRepository,
    LocksRepository,
    RawLogRepository,
    SessoesRepository,
)
from sinesys_spiders.core.domain import StatusCaptura, TipoCaptura
from sinesys_spiders.core.rawlog.cifra import open_payload, seal_payload

T0 = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


def _credencial(session: Session) -> int:
    advogado = AdvogadosRepository(session).add(nome_completo="Ana", cpf="12345678909")
    return (
        CredenciaisRepository(session)
        .add(advogado_id=advogado.id, tribunal="TRT3", grau="primeiro_grau", senha_cifrada=b"x")
        .id
    )


def test_captura_log_life_cycle(db_session: Session) -> None:
    """A run goes pending -> in_progress -> completed with its result and aware UTC times."""
    repo = CapturasLogRepository(db_session)
    row = repo.create(tipo_captura=TipoCaptura.ACERVO_GERAL, credencial_ids=[3, 1], parametros={"x": 1})
    assert (row.status, row.iniciado_em) == ("pending", None)
    started = repo.mark_in_progress(captura_id=row.id)
    assert started is not None
    assert started.status == "in_progress"
    resultado = {"credenciais_processadas": 2, "resultados": [{"credencial_id": 3, "resultado": {"inseridos": 5}}]}
    repo.finish(captura_id=row.id, status=StatusCaptura.COMPLETED, resultado=resultado)
    db_session.commit()
    db_session.expunge_all()
    found = repo.get(captura_id=row.id)
    assert found is not None
    assert (found.status, found.credencial_ids, found.resultado, found.erro) == ("completed", [3, 1], resultado, None)
    assert found.iniciado_em.tzinfo is dt.UTC
    assert found.concluido_em >= found.iniciado_em


def test_captura_log_failed_and_listing(db_session: Session) -> None:
    """A failed run keeps its error; list_recent is newest first and filters by type and status."""
    repo = CapturasLogRepository(db_session)
    a = repo.create(tipo_captura="acervo_geral", status=StatusCaptura.IN_PROGRESS)
    b = repo.create(tipo_captura="pendentes")
    repo.finish(captura_id=a.id, status="failed", erro="SENHA_INVALIDA: Usuário ou senha inválidos no tribunal.")
    db_session.commit()
    assert repo.get(captura_id=a.id).erro.startswith("SENHA_INVALIDA")
    assert [r.id for r in repo.list_recent()] == [b.id, a.id]
    assert [r.id for r in repo.list_recent(status="failed")] == [a.id]
    assert [r.id for r in repo.list_recent(tipo_captura=TipoCaptura.PENDENTES)] == [b.id]
    with pytest.raises(ValueError, match="completed"):
        repo.finish(captura_id=b.id, status="in_progress")
    assert repo.mark_in_progress(captura_id=999) is None


def test_raw_log_append_get_filter(db_session: Session, cipher: Cipher) -> None:
    """Sealed payloads are stored as given, found by raw_log_id and filtered by run, type, tribunal and status."""
    captura = CapturasLogRepository(db_session).create(tipo_captura="acervo_geral")
    repo = RawLogRepository(db_session)
    payload = [{"id": 1, "numeroProcesso": "0010001-23.2025.5.03.0022", "segredoDeJustica": False}]
    raw_log_id = "5d0c1a52-8a43-4a43-9a8e-4f2b2a0c9e11"
    first = repo.append(
        raw_log_id=raw_log_id,
        tipo_captura="acervo_geral",
        status="success",
        captura_log_id=captura.id,
        tribunal="TRT3",
        grau="primeiro_grau",
        credencial_id=7,
        requisicao={"pagina": 1},
        payload_cifrado=seal_payload(cipher, raw_log_id, payload),
    )
    repo.append(tipo_captura="partes", status="error", tribunal="TRT1", grau="primeiro_grau", erro="HTTP 500")
    repo.set_resultado(raw_log_id=first.raw_log_id, resultado_processado={"inseridos": 1})
    db_session.commit()
    db_session.expunge_all()
    found = repo.get(raw_log_id=first.raw_log_id)
    assert found is not None
    assert found.payload_bruto is None
    assert found.payload_cifrado is not None
    assert (open_payload(cipher, raw_log_id, found.payload_cifrado), found.requisicao, found.resultado_processado) == (
        payload,
        {"pagina": 1},
        {"inseridos": 1},
    )
    assert found.criado_em.tzinfo is dt.UTC
    assert [r.raw_log_id for r in repo.list(captura_log_id=captura.id)] == [first.raw_log_id]
    assert [r.tipo_captura for r in repo.list(status="error")] == ["partes"]
    assert [r.tribunal for r in repo.list(tribunal="TRT3", grau="primeiro_grau", credencial_id=7)] == ["TRT3"]
    assert len(repo.list()) == 2
    with pytest.raises(ValueError, match="success"):
        repo.append(tipo_captura="partes", status="ok")


def test_lock_acquire_release_extend(db_session: Session) -> None:
    """A held lock refuses others until released or expired; only its owner can release or extend it."""
    repo = LocksRepository(db_session)
    assert repo.acquire(key="captura:processo:1", owner="a", ttl=60, now=T0, metadata={"pid": 1})
    assert not repo.acquire(key="captura:processo:1", owner="b", ttl=60, now=T0 + dt.timedelta(seconds=30))
    assert not repo.release(key="captura:processo:1", owner="b")
    assert not repo.extend(key="captura:processo:1", owner="b", ttl=60, now=T0)
    assert repo.extend(key="captura:processo:1", owner="a", ttl=120, now=T0 + dt.timedelta(seconds=50))
    lock = repo.get(key="captura:processo:1")
    assert lock is not None
    assert lock.expires_at == T0 + dt.timedelta(seconds=170)
    assert lock.metadados == {"pid": 1}
    assert not repo.acquire(key="captura:processo:1", owner="b", ttl=60, now=T0 + dt.timedelta(seconds=100))
    assert repo.release(key="captura:processo:1", owner="a")
    assert repo.acquire(key="captura:processo:1", owner="b", ttl=60, now=T0 + dt.timedelta(seconds=101))
    db_session.commit()


def test_expired_lock_is_taken_over_and_cannot_be_extended(db_session: Session) -> None:
    """An expired lock goes to the next caller; its former owner can neither extend nor release it."""
    repo = LocksRepository(db_session)
    assert repo.acquire(key="k", owner="a", ttl=10, now=T0)
    late = T0 + dt.timedelta(seconds=11)
    assert not repo.extend(key="k", owner="a", ttl=10, now=late)
    assert repo.acquire(key="k", owner="b", ttl=10, now=late)
    assert not repo.release(key="k", owner="a")
    assert repo.get(key="k").owner == "b"
    assert repo.acquire(key="other", owner="c", ttl=1, now=T0)
    assert repo.purge_expired(now=late) == 1


def test_lock_is_visible_across_sessions(engine: Engine) -> None:
    """A lock committed by one session refuses another session (another worker) at once."""
    factory = make_session_factory(engine)
    with factory() as first, factory() as second:
        assert LocksRepository(first).acquire(key="shared", owner="w1", ttl=300)
        first.commit()
        assert not LocksRepository(second).acquire(key="shared", owner="w2", ttl=300)
        second.commit()
        assert LocksRepository(first).release(key="shared", owner="w1")
        first.commit()
        assert LocksRepository(second).acquire(key="shared", owner="w2", ttl=300)
        second.commit()


def test_sessao_upsert_get_invalidate_delete(db_session: Session) -> None:
    """A stored session round-trips; invalidating keeps the OTP step and the login count."""
    credencial_id = _credencial(db_session)
    repo = SessoesRepository(db_session)
    uuid = repo.ensure(credencial_id=credencial_id).uuid
    repo.upsert(credencial_id=credencial_id, dados_cifrados=b"c1", expires_at=T0, id_advogado_externo=29203)
    assert repo.claim_otp_step(credencial_id=credencial_id, passo=100)
    repo.upsert(credencial_id=credencial_id, dados_cifrados=b"c2", expires_at=T0 + dt.timedelta(minutes=30))
    db_session.commit()
    db_session.expunge_all()
    row = repo.get(credencial_id=credencial_id)
    assert row is not None
    assert (row.uuid, row.dados_cifrados, row.logins, row.otp_ultimo_passo) == (uuid, b"c2", 2, 100)
    assert row.expires_at == T0 + dt.timedelta(minutes=30)
    assert row.expires_at.tzinfo is dt.UTC
    assert repo.touch(credencial_id=credencial_id, now=T0)
    assert repo.invalidate(credencial_id=credencial_id)
    row = repo.get(credencial_id=credencial_id)
    assert (row.dados_cifrados, row.expires_at, row.otp_ultimo_passo, row.logins) == (None, None, 100, 2)
    assert repo.delete(credencial_id=credencial_id)
    assert repo.get(credencial_id=credencial_id) is None
    assert not repo.invalidate(credencial_id=credencial_id)


def test_otp_step_is_never_claimed_twice(engine: Engine) -> None:
    """A TOTP time step (or an older one) cannot be claimed again, even from another session."""
    factory = make_session_factory(engine)
    with factory() as first, factory() as second:
        credencial_id = _credencial(first)
        first.commit()
        assert SessoesRepository(first).claim_otp_step(credencial_id=credencial_id, passo=57_000_001)
        first.commit()
        assert not SessoesRepository(second).claim_otp_step(credencial_id=credencial_id, passo=57_000_001)
        assert not SessoesRepository(second).claim_otp_step(credencial_id=credencial_id, passo=57_000_000)
        assert SessoesRepository(second).claim_otp_step(credencial_id=credencial_id, passo=57_000_002)
        second.commit()


def test_agendamento_round_trip_due_and_claim(db_session: Session) -> None:
    """Schedules round-trip; due() lists active rows whose time has come; a due row is claimed once."""
    repo = AgendamentosRepository(db_session)
    due = repo.add(
        tipo_captura="pendentes",
        periodicidade="diario",
        horario="07:30",
        credencial_ids=[1, 2],
        parametros_extras={"filtrosPrazo": ["no_prazo"]},
        proxima_execucao=T0,
    )
    later = repo.add(
        tipo_captura="audiencias",
        periodicidade="a_cada_N_horas",
        intervalo=6,
        proxima_execucao=T0 + dt.timedelta(hours=1),
    )
    inactive = repo.add(tipo_captura="acervo_geral", periodicidade="a_cada_N_dias", intervalo=2, proxima_execucao=T0)
    repo.update(agendamento_id=inactive.id, ativo=False)
    db_session.commit()
    db_session.expunge_all()
    found = repo.get(agendamento_id=due.id)
    assert (found.horario, found.credencial_ids, found.parametros_extras) == (
        "07:30",
        [1, 2],
        {"filtrosPrazo": ["no_prazo"]},
    )
    assert found.proxima_execucao == T0
    assert [a.id for a in repo.due(now=T0)] == [due.id]
    assert [a.id for a in repo.due(now=T0 + dt.timedelta(hours=2))] == [due.id, later.id]
    nxt = T0 + dt.timedelta(days=1)
    assert repo.claim(agendamento_id=due.id, esperado=T0, proxima_execucao=nxt)
    assert not repo.claim(agendamento_id=due.id, esperado=T0, proxima_execucao=nxt)
    repo.mark_executed(agendamento_id=due.id, quando=T0 + dt.timedelta(minutes=1))
    assert repo.get(agendamento_id=due.id).proxima_execucao == nxt
    assert [a.id for a in repo.list(ativo=True)] == [due.id, later.id]
    assert repo.delete(agendamento_id=later.id)


@pytest.mark.parametrize(
    ("periodicidade", "intervalo", "horario", "message"),
    [
        ("semanal", None, None, "periodicidade"),
        ("a_cada_N_dias", None, None, "intervalo"),
        ("a_cada_N_horas", 0, None, "intervalo"),
        ("diario", None, "24:00", "HH:MM"),
    ],
)
def test_agendamento_refuses_bad_input(
    db_session: Session, periodicidade: str, intervalo: int | None, horario: str | None, message: str
) -> None:
    """A bad periodicidade, intervalo or horario is a ValueError saying what is wrong; nothing is written."""
    repo = AgendamentosRepository(db_session)
    with pytest.raises(ValueError, match=message):
        repo.add(tipo_captura="pendentes", periodicidade=periodicidade, intervalo=intervalo, horario=horario)
    assert repo.list() == []
