"""The shared queue of N workers (scrapy-redis): a popped request stays under its worker's lease until handled."""

from __future__ import annotations

import time
from typing import Any

import pytest
import scrapy

from sinesys_spiders.core.redis_conexao import RedisConexao
from sinesys_spiders.workers.fila import CHAVE_RID, CHAVE_TOKEN, FilaComArrendamento

pytestmark = pytest.mark.requires_redis


class _Spider(scrapy.Spider):
    name = "fila_teste"

    def parse(self, response):  # pragma: no cover - never called: the requests are only queued
        yield from ()


def _fila(conexao: RedisConexao, worker: str, *, ttl: float = 30.0) -> FilaComArrendamento:
    fila = FilaComArrendamento(conexao.client, _Spider(), conexao.chave("captura", 1, "fila"), worker=worker,
                               lease_ttl=ttl)  # fmt: skip
    fila.registrar()
    return fila


def _request(n: int, prioridade: int = 0) -> scrapy.Request:
    spider = _Spider()
    return scrapy.Request(f"https://trt.example/{n}", callback=spider.parse, priority=prioridade,
                          meta={"credencial_id": 7, "etapa": "pagina"})  # fmt: skip


def test_a_popped_request_is_kept_until_handled_and_no_other_worker_gets_it(redis_conexao: RedisConexao) -> None:
    """Two workers pop from one queue: each request goes to exactly one, with its priority order, and stays in
    that worker's processing hash (it survives the worker) until the worker says it was handled."""
    a, b = _fila(redis_conexao, "a"), _fila(redis_conexao, "b")
    for n, prioridade in [(1, 0), (2, 5), (3, 0)]:
        a.push(_request(n, prioridade))

    primeiro, segundo, terceiro = a.pop(), b.pop(), a.pop()

    assert primeiro.url.endswith("/2")  # the highest priority first
    assert {segundo.url, terceiro.url} == {"https://trt.example/1", "https://trt.example/3"}
    assert primeiro.meta["credencial_id"] == 7
    assert primeiro.callback.__name__ == "parse"
    assert a.pop() is None
    assert len(a) == 0
    assert a.em_andamento() == 3
    a.concluir(primeiro.meta[CHAVE_TOKEN])
    b.concluir(segundo.meta[CHAVE_TOKEN])
    assert a.em_andamento() == 1
    assert a.recuperar() == 0  # both leases are alive: nothing goes back


def test_the_requests_of_a_worker_whose_lease_lapsed_go_back_to_the_queue_with_their_priority(
    redis_conexao: RedisConexao,
) -> None:
    """A worker that stops renewing (killed) loses its lease: another worker puts its unhandled requests back in
    the queue, with their priorities, and pops them; the handled one is not fetched again."""
    morto = _fila(redis_conexao, "morto", ttl=0.3)
    vivo = _fila(redis_conexao, "vivo")
    morto.push(_request(1, 3))
    morto.push(_request(2, 1))
    morto.push(_request(3, 0))
    feito, _, _ = morto.pop(), morto.pop(), morto.pop()
    morto.concluir(feito.meta[CHAVE_TOKEN])
    vivo.push(_request(4, 2))

    time.sleep(0.5)  # the lease lapses: nobody renews it
    assert vivo.recuperar() == 2

    ordem = [vivo.pop().url.rsplit("/", 1)[1] for _ in range(3)]
    assert ordem == ["4", "2", "3"]
    assert vivo.pop() is None
    assert morto.renovar() is False  # the worker learns its lease lapsed, and joins again with nothing
    assert morto.em_andamento() == 3  # the three popped by vivo, none left of morto's


def test_a_worker_that_leaves_gives_back_what_it_had_not_handled(redis_conexao: RedisConexao) -> None:
    """A graceful close (cancel, SIGTERM) puts the worker's in-flight requests back for the workers that remain."""
    saindo, ficando = _fila(redis_conexao, "saindo"), _fila(redis_conexao, "ficando")
    saindo.push(_request(1))
    saindo.pop()

    assert saindo.sair() == 1
    assert ficando.pop().url == "https://trt.example/1"
    assert not redis_conexao.client.exists(saindo.chave_lease)


def test_a_request_goes_to_redis_without_the_sessions_cookies(redis_conexao: RedisConexao) -> None:
    """A retried request carries the session's ``Cookie`` header and seeded cookies: the workers' scheduler queues
    it without them, so no session secret is stored (pickled) in Redis."""
    from sinesys_spiders.workers.scheduler import SchedulerWorkers

    scheduler = SchedulerWorkers(redis_conexao.client, chave=redis_conexao.chave("captura", 2, "fila"), lease_ttl=30)
    scheduler.open(_Spider())
    try:
        request = _request(1).replace(headers={"Cookie": "JSESSIONID=segredo-da-sessao"},
                                      cookies={"access_token": "token-secreto"})  # fmt: skip
        assert scheduler.enqueue_request(request)
        guardado = b"".join(redis_conexao.client.zrange(scheduler.chave, 0, -1))
        assert b"segredo-da-sessao" not in guardado
        assert b"token-secreto" not in guardado
        assert scheduler.next_request().url == "https://trt.example/1"
    finally:
        scheduler.close("finished")


def _scheduler(conexao: RedisConexao, captura_id: int, *, ttl: float = 30.0) -> Any:
    from sinesys_spiders.core.estado_captura.redis import EstadoRedis
    from sinesys_spiders.workers.scheduler import DupeFilterCredencial, SchedulerWorkers

    chave = conexao.chave("captura", captura_id, "fila")
    dupefilter = DupeFilterCredencial(conexao.client, key=f"{chave}:dupefilter")
    pendentes = EstadoRedis(conexao, captura_id).chave_pendentes
    scheduler = SchedulerWorkers(conexao.client, chave=chave, lease_ttl=ttl, chave_pendentes=pendentes,
                                 dupefilter=dupefilter)  # fmt: skip
    scheduler.open(_Spider())
    return scheduler


def test_a_request_is_queued_and_counted_pending_in_one_step_and_leaves_pending_only_when_acknowledged(
    redis_conexao: RedisConexao,
) -> None:
    """Queuing marks the request seen, queues it and adds it to its credential's pending set in one script: the
    same request produced again (by a worker taking over after a crash) is neither queued nor counted twice. It
    stays pending while popped, while it goes back from a dead worker and while a retry replaces it; it leaves the
    pending set only when acknowledged, and an acknowledgement by a worker that lost it (its lease lapsed) changes
    nothing."""
    from sinesys_spiders.core.estado_captura.redis import EstadoRedis

    morto, vivo = _scheduler(redis_conexao, 3, ttl=0.3), _scheduler(redis_conexao, 3)
    pendentes = EstadoRedis(redis_conexao, 3)
    chave = pendentes.chave_pendentes(7)
    pedido = _request(1)
    pedido.meta[CHAVE_RID] = "rid-1"
    try:
        assert morto.enqueue_request(pedido.copy()) is True
        assert pendentes.pendentes(7) == 1
        assert vivo.enqueue_request(pedido.copy()) is False  # produced again: dropped, not counted again
        assert (len(vivo.queue), pendentes.pendentes(7)) == (1, 1)

        perdido = morto.next_request()  # then the worker dies with it (nobody renews its lease)
        assert pendentes.pendentes(7) == 1
        time.sleep(0.5)
        assert vivo.queue.recuperar() == 1
        assert morto.queue.concluir(perdido.meta[CHAVE_TOKEN], pendentes=chave, request_id="rid-1") == -1
        assert pendentes.pendentes(7) == 1  # the late acknowledgement of the dead worker counted nothing

        tentativa = vivo.next_request()
        assert vivo.enqueue_request(tentativa.replace(meta={**tentativa.meta, "retry_times": 1})) is True
        assert (len(vivo.queue), vivo.queue.em_andamento(), pendentes.pendentes(7)) == (1, 0, 1)

        feito = vivo.next_request()
        assert feito.meta["retry_times"] == 1
        assert vivo.queue.concluir(feito.meta[CHAVE_TOKEN], pendentes=chave, request_id="rid-1") == 0
        assert (len(vivo.queue), vivo.queue.em_andamento(), pendentes.pendentes(7)) == (0, 0, 0)
        assert vivo.enqueue_request(pedido.copy()) is False  # handled: never fetched again
    finally:
        vivo.close("finished")


def test_a_worker_whose_lease_lapsed_pops_nothing_until_it_joins_again(redis_conexao: RedisConexao) -> None:
    """A worker whose reactor stalled past its lease is dropped from the queue's workers by another's recovery;
    if it then popped a request and died before its next renewal, nobody would ever give that request back (its
    processing hash belongs to no member of the workers set). So it pops nothing until it renewed, and the live
    worker gets the request."""
    parado = _fila(redis_conexao, "parado", ttl=0.3)
    vivo = _fila(redis_conexao, "vivo")
    vivo.push(_request(1))

    time.sleep(0.5)  # parado's lease lapses (its reactor was blocked)
    vivo.recuperar()  # parado leaves the workers set
    assert parado.pop() is None  # it wakes up and asks before renewing: nothing, the request stays queued

    assert vivo.pop().url == "https://trt.example/1"  # parado may die now: nothing of it is lost
    assert parado.renovar() is False  # the renewal tells it the lease lapsed; it joins again
    vivo.push(_request(2))
    assert parado.pop().url == "https://trt.example/2"
    assert parado.em_andamento() == 2


def test_every_queue_key_has_a_ttl_so_a_capture_whose_workers_all_died_leaves_nothing_forever(
    redis_conexao: RedisConexao,
) -> None:
    """The last worker removes the capture's keys; when every worker is killed nobody does, so the queue, the
    duplicate filter, the workers set and the processing hashes expire by themselves, like the pending sets."""
    scheduler = _scheduler(redis_conexao, 4)
    try:
        pedido = _request(1)
        pedido.meta[CHAVE_RID] = "rid-1"
        assert scheduler.enqueue_request(pedido)
        assert scheduler.enqueue_request(_request(2))
        assert scheduler.next_request() is not None
        fila = scheduler.queue
        assert fila.renovar() is True
        chaves = [fila.key, scheduler.df.key, fila.chave_workers, fila.chave_processando]
        assert all(redis_conexao.client.exists(chave) for chave in chaves)
        assert [chave for chave in chaves if redis_conexao.client.ttl(chave) <= 0] == []
    finally:
        scheduler.close("finished")


def test_a_redis_restart_the_client_reconnects_through_stops_the_worker_instead_of_restarting_the_capture(
    tmp_path: Any,
) -> None:
    """redis-py reconnects (and retries) by itself: a Redis restarted without persistence between two calls raises
    nothing, and the workers would go on with an empty queue, no pending sets and no credential marked started or
    ended (captured again, counted twice). The renewal sees the capture's mark gone and stops the worker with
    ``RedisIndisponivel``; a worker of another capture, or one that joins first, is not affected."""
    from sinesys_spiders.core.errors import RedisIndisponivel
    from sinesys_spiders.testing.redis_fixtures import start_redis

    servidor = start_redis(tmp_path / "redis")
    conexao = RedisConexao.from_url(servidor.url(), prefix="treinicio")
    try:
        a, b = _fila(conexao, "a"), _fila(conexao, "b")
        assert a.marca == b.marca
        a.push(_request(1))
        assert a.renovar() is True

        servidor.stop()
        servidor.start()  # same port, nothing kept

        with pytest.raises(RedisIndisponivel, match="perdeu o estado da captura"):
            a.renovar()
        with pytest.raises(RedisIndisponivel, match="perdeu o estado da captura"):
            b.renovar()
        assert _fila(conexao, "novo").marca is not None  # a worker started afterwards joins as usual
    finally:
        conexao.client.close()
        servidor.stop()


def test_the_last_worker_of_a_cancelled_capture_ends_it_though_the_queue_still_holds_requests(
    redis_conexao: RedisConexao,
) -> None:
    """Cancelling (SIGTERM to every job) closes each worker with its requests given back to the queue. The last
    one to leave must still end the capture (``cancelled``), or it stays ``in_progress`` until the reaper; a worker
    leaving while another is alive does not, and a finished worker with requests left in the queue does not."""
    from sinesys_spiders.workers.fim import ultimo_worker

    a, b = _fila(redis_conexao, "a"), _fila(redis_conexao, "b")
    a.push(_request(1))
    a.push(_request(2))
    a.pop(), b.pop()

    assert a.sair() == 1
    assert ultimo_worker(a, "shutdown") is False  # b is alive
    assert b.sair() == 1
    assert ultimo_worker(b, "finished", intervalo=0.01) is False  # work left and nobody to do it: not "completed"
    assert ultimo_worker(b, "shutdown") is True
    assert ultimo_worker(a, "shutdown") is False  # elected once
