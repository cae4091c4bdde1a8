"""Sandbox fixtures: the simulated PJE-TRT as a subprocess on a free port.

``pje_sandbox`` (session scope: once per test run, or once per pytest-xdist worker) starts
``sinesys sandbox --port 0 --scale tiny --users 64 --totp-period 3`` and yields a ``SandboxClient``:
the demo users, the URL of every tribunal and grau, the admin calls (counters, faults, advance,
truth) and a plain-HTTP login. Its users have 3-second TOTP steps, so a user logs in again after a
few seconds instead of half a minute; the SSO's rules are PJE's (a step accepted once, one step of
tolerance either side). ``pje_sandbox_real_totp`` has PJE's own 30-second steps, for the few tests
about that timing. Tests that change the world (``advance``) or need other options start their own
with ``start_sandbox(...)``.

Sharing a sandbox: take a user of your own with ``take_user()`` (users are handed out in turn),
measure counters as differences, and put faults on only inside ``faults_applied(...)``.

Talks to the sandbox only over HTTP and through its users file: ``sinesys_spiders`` never imports
``plugins``. A TOTP code is accepted once per user, so ``totp_code()`` never returns a code this
process already used.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import queue
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import httpx
import pytest

from sinesys_spiders.core.processos import encerrar
from sinesys_spiders.core.totp import TotpSpec, parse_totp

__all__ = [
    "ADMIN_TOKEN_HEADER",
    "TEST_TOTP_PERIOD",
    "DemoUser",
    "SandboxClient",
    "SandboxError",
    "pje_sandbox",
    "start_sandbox",
]

ADMIN_TOKEN_HEADER = "X-Sandbox-Token"  # noqa: S105 (a header name)
#: Seconds per TOTP step of the shared test sandbox's users (``SINESYS_TEST_TOTP_PERIOD`` overrides):
#: short enough that a second login of a user barely waits, long enough for a browser on a busy
#: machine to submit a code within the SSO's window (at least one step).
TEST_TOTP_PERIOD = int(os.environ.get("SINESYS_TEST_TOTP_PERIOD", "3"))
_FORM_ACTION = re.compile(r'<form[^>]*\baction="([^"]*)"', re.I)
_FEEDBACK = re.compile(r'class="[^"]*kc-feedback-text[^"]*">([^<]*)<', re.I)
_GRAU_PREFIX = {"primeiro_grau": "primeirograu", "segundo_grau": "segundograu", "tribunal_superior": "tst"}


class SandboxError(RuntimeError):
    """The sandbox did not start, or a login against it failed."""


@dataclasses.dataclass(frozen=True)
class DemoUser:
    """A demo lawyer of the sandbox (the users file entry)."""

    cpf: str
    senha: str = dataclasses.field(repr=False)
    totp_secret: str = dataclasses.field(repr=False)
    nome: str
    id_usuario: int
    ids_advogado: dict[str, int]
    oab: str = ""

    @property
    def totp(self) -> TotpSpec:
        """The secret, period and digits of ``totp_secret`` (a base32 secret or an ``otpauth://`` URI)."""
        return parse_totp(self.totp_secret)

    @property
    def secrets(self) -> tuple[str, ...]:
        """What must never appear in a log or output: password, TOTP secret (bare and as stored), full CPF."""
        return (self.senha, self.totp_secret, self.totp.secret, self.cpf)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DemoUser:
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})

    def __repr__(self) -> str:  # never the full CPF
        return f"DemoUser(cpf=***{self.cpf[3:9]}**, id_usuario={self.id_usuario})"


def _grau_key(grau: Any) -> str:
    return str(getattr(grau, "value", grau))


def _tribunal_key(tribunal: Any) -> str:
    return str(getattr(tribunal, "value", tribunal))


class SandboxClient:
    """What a test needs from a running sandbox; built from its users file."""

    def __init__(self, info: dict[str, Any], *, users_file: Path, stderr_path: Path | None = None) -> None:
        self.info = info
        self.users_file = users_file
        self.stderr_path = stderr_path
        self.users = [DemoUser.from_dict(u) for u in info["users"]]
        self.sso_url: str = info["sso_url"]
        self.admin_url: str = info["admin_url"]
        self.tribunais: dict[str, dict[str, Any]] = info["tribunais"]
        self._token: str = info["admin_token"]
        self._admin = httpx.Client(base_url=self.admin_url + "/", headers={ADMIN_TOKEN_HEADER: self._token}, timeout=60)
        self._lock = threading.Lock()
        self._next_user = 0
        self._used_steps: dict[str, set[int]] = {}
        self.banner: list[str] = []  # what ``sinesys sandbox`` printed up to its ready line

    def close(self) -> None:
        self._admin.close()

    # -- where things are ------------------------------------------------------------------------
    def base_url(self, tribunal: Any) -> str:
        return str(self.tribunais[_tribunal_key(tribunal)]["base_url"])

    def api_url(self, tribunal: Any) -> str:
        return str(self.tribunais[_tribunal_key(tribunal)]["api_url"])

    def login_url(self, tribunal: Any, grau: Any) -> str:
        return str(self.tribunais[_tribunal_key(tribunal)]["login_urls"][_grau_key(grau)])

    # -- users and OTP ---------------------------------------------------------------------------
    def take_user(self) -> DemoUser:
        """The next demo user, in turn, so that tests running one after another use different users."""
        with self._lock:
            user = self.users[self._next_user % len(self.users)]
            self._next_user += 1
            return user

    def totp_code(self, user: DemoUser) -> str:
        """A TOTP code of a time step this process has not used for ``user`` (waits for one if needed)."""
        totp = user.totp.totp()
        while True:
            with self._lock:
                now = time.time()
                step = totp.timecode(int(now))
                used = self._used_steps.setdefault(user.cpf, set())
                for offset in (0, 1):
                    if step + offset not in used:
                        used.add(step + offset)
                        return totp.generate_otp(step + offset)
                wait = totp.interval - (now % totp.interval) + 0.05
            time.sleep(wait)

    def login(self, user: DemoUser, tribunal: Any, grau: Any, *, client: httpx.Client | None = None) -> httpx.Client:
        """Log ``user`` in with plain HTTP (forms + pyotp); return the client holding the cookies."""
        http = client or httpx.Client(timeout=30, follow_redirects=True)
        page = http.get(self.login_url(tribunal, grau))
        page.raise_for_status()
        form = _FORM_ACTION.search(page.text)
        if form is None or 'id="btnSsoPdpj"' not in page.text:
            raise SandboxError(f"login.seam sem #btnSsoPdpj (HTTP {page.status_code})")
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
        sso = http.get(unescape(form.group(1)), params={k: unescape(v) for k, v in fields.items()})
        action = _FORM_ACTION.search(sso.text)
        if action is None:
            raise SandboxError(f"SSO sem formulário (HTTP {sso.status_code})")
        otp_page = http.post(unescape(action.group(1)), data={"username": user.cpf, "password": user.senha})
        if 'id="otp"' not in otp_page.text:
            raise SandboxError(f"senha recusada: {_feedback(otp_page.text)}")
        for _ in range(2):
            action = _FORM_ACTION.search(otp_page.text)
            assert action is not None
            done = http.post(unescape(action.group(1)), data={"otp": self.totp_code(user)})
            if "access_token" in http.cookies:
                return http
            otp_page = done
        raise SandboxError(f"OTP recusado duas vezes: {_feedback(otp_page.text)}")

    # -- admin -----------------------------------------------------------------------------------
    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self._admin.request(method, path, **kwargs)
        if response.status_code >= 400:
            raise SandboxError(f"admin {method} {path}: HTTP {response.status_code}: {response.text[:300]}")
        return response.json()

    def _objeto(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """An admin answer that is a JSON object."""
        data = self._call(method, path, **kwargs)
        if not isinstance(data, dict):
            raise SandboxError(f"admin {method} {path}: expected a JSON object, got {type(data).__name__}")
        return data

    def health(self) -> dict[str, Any]:
        return self._objeto("GET", "health")

    def counters(self) -> dict[str, Any]:
        return self._objeto("GET", "counters")

    def reset_counters(self) -> None:
        self._call("POST", "counters/reset")

    def faults(self) -> dict[str, Any]:
        return self._objeto("GET", "faults")

    def set_faults(self, profile: dict[str, Any] | str) -> dict[str, Any]:
        """Activate a fault profile (a dict, or the name of a bundled profile)."""
        body = {"profile": profile} if isinstance(profile, str) else profile
        return self._objeto("PUT", "faults", json=body)

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    @contextlib.contextmanager
    def faults_applied(self, profile: dict[str, Any] | str) -> Iterator[dict[str, Any]]:
        """Faults on for the ``with`` block, off afterwards."""
        described = self.set_faults(profile)
        try:
            yield described
        finally:
            self.clear_faults()

    def advance(self, steps: int = 1) -> dict[str, Any]:
        return self._objeto("POST", "advance", json={"steps": steps})

    def truth(self, **filters: Any) -> Any:
        params = {k: _tribunal_key(v) for k, v in filters.items() if v is not None}
        return self._call("GET", "truth", params=params)

    def expire_sessions(self, *, tribunal: Any = None, cpf: str | None = None) -> int:
        body = {"tribunal": _tribunal_key(tribunal) if tribunal else None, "cpf": cpf}
        return int(self._objeto("POST", "sessions/expire", json=body)["ended"])


def _feedback(text: str) -> str:
    match = _FEEDBACK.search(text)
    return unescape(match.group(1)).strip() if match else "sem mensagem"


def _reader(stream: Any, lines: queue.Queue[str | None]) -> None:
    for line in iter(stream.readline, ""):
        lines.put(line)
    lines.put(None)


@contextlib.contextmanager
def start_sandbox(
    workdir: Path,
    *,
    scale: str = "tiny",
    seed: int = 42,
    users: int = 16,
    tribunais: str | None = None,
    faults: str | None = None,
    today: str | None = None,
    truth_file: bool = False,
    totp_period: int = 30,
    totp_digits: int = 6,
    timeout: float = 180.0,
) -> Iterator[SandboxClient]:
    """Run ``sinesys sandbox --port 0`` in ``workdir`` until the block ends; yield its client.

    ``totp_period`` (seconds per TOTP step, PJE's 30 by default) and ``totp_digits``: with a short
    period a user can log in again after a couple of seconds instead of half a minute; every rule of
    the SSO stays (a step accepted once, one step of tolerance either side). The users' ``totp_secret``
    is then an ``otpauth://`` URI carrying the period, and a credential made from it uses it.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    users_file = workdir / "sandbox-users.json"
    args = ["sandbox", "--port", "0", "--seed", str(seed), "--scale", scale, "--users", str(users)]
    args += ["--users-file", str(users_file)]
    if truth_file:
        args += ["--truth-file", str(workdir / "sandbox-truth.json")]
    if tribunais:
        args += ["--tribunais", tribunais]
    if faults:
        args += ["--faults", faults]
    if today:
        args += ["--today", today]
    if totp_period != 30:
        args += ["--totp-period", str(totp_period)]
    if totp_digits != 6:
        args += ["--totp-digits", str(totp_digits)]
    stderr_path = workdir / "sandbox-stderr.log"
    command = [sys.executable, "-c", "from sinesys_spiders.cli import main; main()", *args]
    with stderr_path.open("w") as stderr:
        process = subprocess.Popen(command, cwd=workdir, stdout=subprocess.PIPE, stderr=stderr, text=True)
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_reader, args=(process.stdout, lines), daemon=True).start()
    client: SandboxClient | None = None
    banner: list[str] = []
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                raise SandboxError(f"sandbox não ficou pronto em {timeout:.0f} s") from None
            if line is None:
                raise SandboxError(f"sandbox terminou ({process.wait()}): {stderr_path.read_text()[-2000:]}")
            banner.append(line.rstrip("\n"))
            if line.startswith("ready: "):
                break
        client = SandboxClient(json.loads(users_file.read_text()), users_file=users_file, stderr_path=stderr_path)
        client.banner = banner
        yield client
    finally:
        if client is not None:
            client.close()
        encerrar(process, 15)


@pytest.fixture(scope="session")
def pje_sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxClient]:
    """The sandbox shared by the whole run (per xdist worker): scale tiny, 64 users, every tribunal, no faults,
    ``TEST_TOTP_PERIOD``-second TOTP steps. Take users with ``take_user()``; faults only in ``faults_applied``."""
    folder = tmp_path_factory.mktemp("pje-sandbox")
    with start_sandbox(folder, users=64, totp_period=TEST_TOTP_PERIOD) as client:
        yield client


@pytest.fixture(scope="session")
def pje_sandbox_real_totp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxClient]:
    """A small sandbox whose users have PJE's real TOTP (30-second steps, 6 digits): TRT3 and the TST, 8 users.

    For the few tests that keep the real timing covered (a second login waits for the next 30-second step)."""
    with start_sandbox(tmp_path_factory.mktemp("pje-sandbox-30s"), users=8, tribunais="TRT3,TST") as client:
        yield client
