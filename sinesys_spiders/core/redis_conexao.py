"""The connection to Redis (``SINESYS_REDIS_URL``) shared by the Redis back ends (locks, sessions).

The URL is a redis-py URL: ``redis://[[user]:password@]host:port/db`` (AUTH with a password, or an ACL user and
its password), ``rediss://`` for TLS (``?ssl_cert_reqs=required&ssl_ca_certs=/path/ca.pem`` to pin a CA), or
``unix:///path/redis.sock``. Every key starts with ``SINESYS_REDIS_PREFIX`` (``sinesys``), one per deployment, so
two deployments can share a server. A Redis that cannot be reached or refuses the credentials raises
``RedisIndisponivel`` (``REDIS_INDISPONIVEL``) with the URL masked; the password never appears in a message.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import redis
import redis.exceptions

from sinesys_spiders.core.config import Settings, get_settings, mask_url
from sinesys_spiders.core.errors import RedisIndisponivel

__all__ = ["RedisConexao", "abrir_redis", "erros_redis"]

#: Seconds to connect or to wait for an answer before the call fails (a hung Redis must not hang a crawl).
TIMEOUT = 10.0


class RedisConexao:
    """A client on one Redis and the deployment's key prefix."""

    def __init__(self, client: redis.Redis, *, prefix: str = "sinesys", url: str | None = None) -> None:
        self.client = client
        self.prefix = prefix.rstrip(":")
        self._url = mask_url(url) if url else None

    def __repr__(self) -> str:
        return f"RedisConexao({self._url or 'redis'}, prefix={self.prefix!r})"

    @classmethod
    def from_url(cls, url: str, *, prefix: str = "sinesys", **kwargs: Any) -> RedisConexao:
        kwargs.setdefault("socket_timeout", TIMEOUT)
        kwargs.setdefault("socket_connect_timeout", TIMEOUT)
        kwargs.setdefault("health_check_interval", 30)
        try:
            client = redis.Redis.from_url(url, **kwargs)
        except ValueError:  # a malformed URL: say which, masked
            raise RedisIndisponivel(f"SINESYS_REDIS_URL inválida ({mask_url(url)})") from None
        return cls(client, prefix=prefix, url=url)

    def chave(self, *partes: object) -> str:
        """``{prefix}:{parte}:{parte}...``."""
        return ":".join([self.prefix, *(str(p) for p in partes)])

    @contextlib.contextmanager
    def erros(self) -> Iterator[None]:
        """Turn a connection, timeout or authentication failure into ``RedisIndisponivel``."""
        with erros_redis(self._url):
            yield


@contextlib.contextmanager
def erros_redis(url: str | None = None) -> Iterator[None]:
    """``RedisIndisponivel`` for a Redis that is down, hung or refuses the credentials (the URL masked)."""
    onde = url or "o Redis configurado"
    try:
        yield
    except redis.exceptions.AuthenticationError:
        raise RedisIndisponivel(f"{onde} recusou as credenciais (usuário/senha de SINESYS_REDIS_URL)") from None
    except redis.exceptions.NoPermissionError:
        raise RedisIndisponivel(f"{onde} negou a operação ao usuário de SINESYS_REDIS_URL (ACL)") from None
    except redis.exceptions.ResponseError as exc:
        if "NOAUTH" in str(exc):
            raise RedisIndisponivel(f"{onde} exige senha (SINESYS_REDIS_URL sem credenciais)") from None
        raise
    except (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError) as exc:
        raise RedisIndisponivel(f"{onde} não respondeu: {type(exc).__name__}") from None


def abrir_redis(settings: Settings | None = None) -> RedisConexao | None:
    """The configured Redis (``None`` when ``SINESYS_REDIS_URL`` is not set)."""
    settings = settings or get_settings()
    if settings.redis_url is None or not settings.redis_url.get_secret_value():
        return None
    return RedisConexao.from_url(settings.redis_url.get_secret_value(), prefix=settings.redis_prefix)
