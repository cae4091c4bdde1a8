"""One uvicorn server on several sockets: the SSO host and one loopback address per tribunal.

All sockets share one port; with port 0 the first bind picks a free port and the others follow it
(retrying with another port if one of the addresses has it taken).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["bind_sockets", "serve"]

_BIND_ATTEMPTS = 20


def _bind(address: str, port: int) -> socket.socket:
    # IPPROTO_TCP explicitly: asyncio turns Nagle off only for sockets whose proto says TCP.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((address, port))
        sock.listen(1024)
    except OSError:
        sock.close()
        raise
    return sock


def bind_sockets(addresses: Sequence[str], port: int) -> tuple[int, list[socket.socket]]:
    """Bind every address on one port (``0``: a free one); raise ``OSError`` naming the address that failed."""
    last_error: OSError | None = None
    for _ in range(_BIND_ATTEMPTS if port == 0 else 1):
        sockets: list[socket.socket] = []
        try:
            first = _bind(addresses[0], port)
            sockets.append(first)
            actual = first.getsockname()[1]
            for address in addresses[1:]:
                try:
                    sockets.append(_bind(address, actual))
                except OSError as exc:
                    raise OSError(exc.errno, f"{address}:{actual}: {exc.strerror}") from None
            return actual, sockets
        except OSError as exc:
            last_error = exc
            for sock in sockets:
                sock.close()
    assert last_error is not None
    raise last_error


def serve(app: Any, sockets: list[socket.socket], *, on_ready: Callable[[], None]) -> None:
    """Serve ``app`` on ``sockets`` until SIGINT/SIGTERM; call ``on_ready`` once it accepts connections."""
    import uvicorn

    config = uvicorn.Config(
        app,
        lifespan="off",
        log_level="warning",
        access_log=False,
        http="auto",
        loop="asyncio",
        timeout_keep_alive=30,
        backlog=1024,
    )
    server = uvicorn.Server(config)

    async def main() -> None:
        task = asyncio.create_task(server.serve(sockets=sockets))
        while not server.started and not task.done():
            await asyncio.sleep(0.02)
        if server.started:
            on_ready()
        await task

    asyncio.run(main())
