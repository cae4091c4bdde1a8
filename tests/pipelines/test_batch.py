"""The batch writer keeps memory bounded when the database is slower than the crawl, and loses nothing."""

from __future__ import annotations

import asyncio
import threading
import time

from pipelines._batch import BatchWriter


async def test_a_slow_database_makes_producers_wait_instead_of_queueing_batches() -> None:
    size, producers, per_producer = 10, 20, 50
    written: list[list[int]] = []
    in_flight = 0
    most_in_flight = 0
    most_held = 0
    added = 0
    done = 0
    lock = threading.Lock()

    def write(batch: list[int]) -> None:
        nonlocal in_flight, most_in_flight, most_held, done
        with lock:
            in_flight += 1
            most_in_flight = max(most_in_flight, in_flight)
            most_held = max(most_held, added - done)  # accepted by add() and not yet written, wherever held
        time.sleep(0.01)  # the database is the bottleneck
        with lock:
            in_flight -= 1
            done += len(batch)
        written.append(batch)

    writer = BatchWriter(write, size=size)

    async def produce(start: int) -> None:
        nonlocal added
        for value in range(start, start + per_producer):
            with lock:
                added += 1
            await writer.add(value)
            await asyncio.sleep(0)  # a crawl produces faster than the database writes

    await asyncio.gather(*(produce(p * per_producer) for p in range(producers)))
    await writer.flush()

    values = [value for batch in written for value in batch]
    assert sorted(values) == list(range(producers * per_producer))  # nothing lost, nothing twice
    assert most_in_flight == 1  # one write at a time (a SQLite file is never written by two threads)
    # Held values never exceed the batch in writing plus one batch filling and one value per waiting producer
    # (queueing a batch per producer would hold producers * size).
    assert most_held <= 2 * size + producers
    assert all(len(batch) >= size for batch in written[:-1])  # full batches, except the last flush


async def test_flush_writes_the_rest_and_an_empty_flush_writes_nothing() -> None:
    written: list[list[str]] = []
    writer: BatchWriter[str] = BatchWriter(written.append, size=100)
    await writer.flush()
    assert written == []
    for value in "abc":
        await writer.add(value)
    await writer.flush()
    assert written == [["a", "b", "c"]]
