"""The sandbox's address layout: the SSO on ``--host``, each tribunal on its own loopback address.

Real PJE has one host per tribunal (shared by 1º and 2º grau) and the SSO on another host. The
sandbox reproduces that with loopback aliases, all on one port: TRT N on ``127.0.1.N``, the TST on
``127.0.1.25``, the SSO and the admin API on ``--host`` (default ``127.0.0.1``). Cookies are kept
per host by every client, so tribunals never share cookies, as in reality.
"""

from __future__ import annotations

import ipaddress

from plugins.pje_trt.tribunais import GRAUS, LOGIN_PATHS
from plugins.pje_trt.tribunais import TribunalTrt as Tribunal
from sinesys_spiders.plugin import Grau

__all__ = [
    "ADMIN_PREFIX",
    "API_PREFIX",
    "SSO_REALM_PATH",
    "base_url",
    "check_sso_host",
    "grau_from_prefix",
    "login_prefix",
    "sso_base_url",
    "tribunal_address",
    "tribunal_by_address",
]

ADMIN_PREFIX = "/_sandbox"
API_PREFIX = "/pje-comum-api/api"
SSO_REALM_PATH = "/auth/realms/pje"

_TST_OCTET = 25


def tribunal_address(tribunal: Tribunal) -> str:
    """``127.0.1.N`` for TRT N, ``127.0.1.25`` for the TST."""
    return f"127.0.1.{tribunal.regiao or _TST_OCTET}"


_BY_ADDRESS = {tribunal_address(t): t for t in Tribunal}


def tribunal_by_address(address: str) -> Tribunal | None:
    """The tribunal served at ``address``, or ``None`` (the SSO host, or an unknown one)."""
    return _BY_ADDRESS.get(address)


def check_sso_host(host: str) -> None:
    """Raise ``ValueError`` unless ``host`` is a 127.x.y.z address not reserved for a tribunal."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        raise ValueError(f"--host {host!r} não é um endereço IP; use um endereço 127.x.y.z") from None
    if address.version != 4 or not address.is_loopback:
        raise ValueError(
            f"--host {host} recusado: os tribunais usam endereços de loopback 127.0.1.N; use um endereço 127.x.y.z"
        )
    if host in _BY_ADDRESS:
        raise ValueError(f"--host {host} é o endereço de {_BY_ADDRESS[host].value}; use outro, ex. 127.0.0.1")


def base_url(tribunal: Tribunal, port: int) -> str:
    """The scheme and host of a tribunal (``http://127.0.1.3:8800``): the same for both graus."""
    return f"http://{tribunal_address(tribunal)}:{port}"


def sso_base_url(host: str, port: int) -> str:
    return f"http://{host}:{port}"


def login_prefix(grau: Grau) -> str:
    """``/primeirograu``, ``/segundograu`` or ``/tst``: the path segment of a grau's pages."""
    return LOGIN_PATHS[grau].rsplit("/", 1)[0]


_PREFIXES = {login_prefix(g).strip("/"): g for g in GRAUS}


def grau_from_prefix(prefix: str) -> Grau | None:
    return _PREFIXES.get(prefix)
