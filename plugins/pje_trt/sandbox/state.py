"""The sandbox's mutable state: SSO login flows, PJE sessions, used OTP codes and the counters.

One process serves every tribunal, so this state lives in memory, guarded by a lock where a
request can race another (uvicorn runs one event loop; admin calls run in the same loop).
"""

from __future__ import annotations

import dataclasses
import secrets
import string
import time
import uuid
from collections import Counter, defaultdict
from typing import Any

import jwt

from plugins.pje_trt.tribunais import TribunalTrt as Tribunal
from sinesys_spiders.plugin import Grau

__all__ = ["AuthFlow", "Counters", "PjeSession", "SandboxState", "mask_cpf"]

#: Real PJE logs a session out after about 30 idle minutes (pje-api.md §1).
DEFAULT_IDLE_SECONDS = 30 * 60
#: ``exp`` of the ``access_token`` JWT.
DEFAULT_TOKEN_SECONDS = 8 * 60 * 60
#: An SSO login flow (the form and the OTP page) and an authorization code expire.
FLOW_SECONDS = 30 * 60
CODE_SECONDS = 60

_TAB_ALPHABET = string.ascii_letters + string.digits + "-_"


def mask_cpf(cpf: str) -> str:
    """``***.456.789-**``: enough to tell demo users apart, never the full CPF."""
    return f"***.{cpf[3:6]}.{cpf[6:9]}-**" if len(cpf) == 11 else "***"


@dataclasses.dataclass
class AuthFlow:
    """One Keycloak login in progress (``execution`` + ``tab_id``), bound to an ``AUTH_SESSION_ID`` cookie."""

    auth_session_id: str
    tab_id: str
    execution: str
    tribunal: Tribunal
    grau: Grau
    client_id: str
    redirect_uri: str
    state: str
    created: float
    step: str = "password"  # then "otp"
    login: str | None = None


@dataclasses.dataclass
class PjeSession:
    """A logged-in lawyer at one tribunal; its id is the ``sid`` claim of the ``access_token``."""

    sid: str
    tribunal: Tribunal
    grau: Grau
    login: str
    id_advogado: int
    created: float
    last_seen: float
    requests: int = 0
    ended: str | None = None  # why it ended: "replaced", "idle", "fault"


class Counters:
    """What the admin API reports: logins, OTP codes, requests per endpoint and status."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.logins: Counter[str] = Counter()
        self.login_failures: Counter[str] = Counter()
        self.otp_accepted: Counter[str] = Counter()
        self.otp_rejected: Counter[str] = Counter()
        self.requests: defaultdict[str, Counter[int]] = defaultdict(Counter)
        self.requests_by_tribunal: Counter[str] = Counter()

    def as_dict(self, injected: dict[str, int]) -> dict[str, Any]:
        return {
            "logins": dict(self.logins),
            "login_failures": dict(self.login_failures),
            "otp": {
                "accepted": sum(self.otp_accepted.values()),
                "rejected": sum(self.otp_rejected.values()),
                "accepted_by_user": dict(self.otp_accepted),
                "rejected_by_user": dict(self.otp_rejected),
            },
            "requests": {key: {str(s): n for s, n in by_status.items()} for key, by_status in self.requests.items()},
            "requests_by_tribunal": dict(self.requests_by_tribunal),
            "faults_injected": injected,
        }


class SandboxState:
    """Flows, codes, sessions and used OTP steps, with the per-run JWT secret."""

    def __init__(self, *, idle_seconds: float = DEFAULT_IDLE_SECONDS, token_seconds: int = DEFAULT_TOKEN_SECONDS):
        self.jwt_secret = secrets.token_bytes(32)
        self.idle_seconds = idle_seconds
        self.token_seconds = token_seconds
        self.flows: dict[str, AuthFlow] = {}  # by execution
        self.codes: dict[str, tuple[AuthFlow, float]] = {}
        self.sessions: dict[str, PjeSession] = {}  # by sid
        self.current: dict[tuple[Tribunal, str], str] = {}  # (tribunal, login) -> sid
        self.used_otp_steps: dict[str, set[int]] = defaultdict(set)
        self.counters = Counters()

    # -- SSO flows -------------------------------------------------------------------------------
    def new_flow(self, *, auth_session_id: str, tribunal: Tribunal, grau: Grau, client_id: str,
                 redirect_uri: str, state: str) -> AuthFlow:  # fmt: skip
        self._prune()
        flow = AuthFlow(
            auth_session_id=auth_session_id,
            tab_id="".join(secrets.choice(_TAB_ALPHABET) for _ in range(11)),
            execution=str(uuid.uuid4()),
            tribunal=tribunal,
            grau=grau,
            client_id=client_id,
            redirect_uri=redirect_uri,
            state=state,
            created=time.monotonic(),
        )
        self.flows[flow.execution] = flow
        return flow

    def advance_flow(self, flow: AuthFlow, step: str, login: str) -> AuthFlow:
        """Move a flow to its next step under a new ``execution`` id (as Keycloak does)."""
        del self.flows[flow.execution]
        flow.execution = str(uuid.uuid4())
        flow.step = step
        flow.login = login
        self.flows[flow.execution] = flow
        return flow

    def issue_code(self, flow: AuthFlow) -> str:
        self.flows.pop(flow.execution, None)
        code = f"{uuid.uuid4()}.{uuid.uuid4()}.{uuid.uuid4()}"
        self.codes[code] = (flow, time.monotonic())
        return code

    def redeem_code(self, code: str, tribunal: Tribunal, grau: Grau) -> AuthFlow | None:
        """The flow of a fresh authorization code issued for ``tribunal`` and ``grau``; a code works once."""
        entry = self.codes.get(code)
        if entry is None or entry[0].tribunal is not tribunal or entry[0].grau is not grau:
            return None
        del self.codes[code]
        if time.monotonic() - entry[1] > CODE_SECONDS:
            return None
        return entry[0]

    def _prune(self) -> None:
        now = time.monotonic()
        for key in [k for k, f in self.flows.items() if now - f.created > FLOW_SECONDS]:
            del self.flows[key]
        for key in [k for k, (_, t) in self.codes.items() if now - t > CODE_SECONDS]:
            del self.codes[key]

    # -- OTP -------------------------------------------------------------------------------------
    def use_otp_step(self, login: str, step: int) -> bool:
        """Record a TOTP time step as used; ``False`` when it was already used (a replay)."""
        used = self.used_otp_steps[login]
        if step in used:
            return False
        used.add(step)
        for old in [s for s in used if s < step - 4]:
            used.discard(old)
        return True

    # -- PJE sessions ----------------------------------------------------------------------------
    def open_session(self, *, tribunal: Tribunal, grau: Grau, login: str, id_advogado: int) -> PjeSession:
        """A new session; the user's previous one at this tribunal (either grau) ends."""
        now = time.monotonic()
        previous = self.current.get((tribunal, login))
        if previous and previous in self.sessions:
            self.sessions[previous].ended = "replaced"
            del self.sessions[previous]
        session = PjeSession(
            sid=uuid.uuid4().hex,
            tribunal=tribunal,
            grau=grau,
            login=login,
            id_advogado=id_advogado,
            created=now,
            last_seen=now,
        )
        self.sessions[session.sid] = session
        self.current[(tribunal, login)] = session.sid
        return session

    def end_session(self, session: PjeSession, reason: str) -> None:
        session.ended = reason
        self.sessions.pop(session.sid, None)
        if self.current.get((session.tribunal, session.login)) == session.sid:
            del self.current[(session.tribunal, session.login)]

    def make_token(self, session: PjeSession, *, id_usuario: int, nome: str) -> str:
        iat = int(time.time())
        claims = {
            "id": session.id_advogado,
            "idUsuario": id_usuario,
            "name": nome,
            "cpf": "",  # the real PJE sends it empty (pje-api.md §1.10)
            "tribunal": session.tribunal.value,
            "grau": session.grau.value,
            "sid": session.sid,
            "iat": iat,
            "exp": iat + self.token_seconds,
        }
        return jwt.encode(claims, self.jwt_secret, algorithm="HS256")

    def session_from_token(self, token: str | None, tribunal: Tribunal) -> PjeSession | None:
        """The live session of an ``access_token`` cookie at ``tribunal``, or ``None`` (401)."""
        if not token:
            return None
        try:
            claims = jwt.decode(token, self.jwt_secret, algorithms=["HS256"])
        except jwt.PyJWTError:
            return None
        session = self.sessions.get(claims.get("sid", ""))
        if session is None or session.tribunal is not tribunal:
            return None
        if time.monotonic() - session.last_seen > self.idle_seconds:
            self.end_session(session, "idle")
            return None
        return session
