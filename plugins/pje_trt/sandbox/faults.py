"""Fault injection: what can go wrong at a real PJE-TRT, on demand and reproducibly.

A fault profile is JSON, read from ``--faults PROFILE`` (a path, or the name of a bundled profile in
``profiles/``) or set at run time with ``PUT /_sandbox/faults``. Its top-level fields are the rule
for every tribunal; ``tribunais`` overrides the whole rule for the tribunals it names::

    {
      "name": "flaky",
      "seed": 7,
      "error_rates": {"500": 0.10},          # probability of each 5xx (500, 502, 503, 504)
      "rate_limit": 0.03, "retry_after": 2,  # 429 with Retry-After (seconds)
      "latency": {"distribution": "uniform", "min_ms": 5, "max_ms": 40},
      "session_expiry": {"after_requests": 50, "idle_seconds": null, "times": 1},
      "waf": 0.0,                            # CloudFront WAF 403 page
      "maintenance": 0.0,                    # PJe error.seam "em manutenção" page
      "reject_next_otp": 0,                  # the next N OTP submissions are refused even if right
      "slow_login_ms": 0,                    # added to every login page (login.seam and the SSO)
      "expired_answer": "401",               # an API call without a live session: 401, 403, or
                                             # login_page (HTTP 200 with login.seam's HTML)
      "targets": ["api"],                    # which requests the random faults hit: api, pages
      "totalizadores": {"1": 3},             # added to the counter of agrupamento 1, 2 or 5 (a counter
                                             # that disagrees with its list, as pje-api.md §3 checks)
      "tribunais": {"TRT5": {"waf": 1.0, "targets": ["api", "pages"]}}
    }

The random draws come from one ``random.Random(seed)``, so a profile gives the same sequence of
faults for the same sequence of requests.
"""

from __future__ import annotations

import json
import random
import threading
from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from plugins.pje_trt.tribunais import TribunalTrt as Tribunal

__all__ = [
    "Decision",
    "FaultEngine",
    "FaultProfile",
    "FaultRule",
    "Latency",
    "SessionExpiry",
    "bundled_profiles",
    "load_profile",
]

Target = Literal["api", "pages"]
Probability = float


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Latency(_Strict):
    """Added latency in milliseconds: ``fixed`` (ms), ``uniform`` (min_ms..max_ms), ``normal``
    (mean_ms, stddev_ms; clipped at 0) or ``exponential`` (mean_ms)."""

    distribution: Literal["fixed", "uniform", "normal", "exponential"] = "fixed"
    ms: float = Field(0.0, ge=0)
    min_ms: float = Field(0.0, ge=0)
    max_ms: float = Field(0.0, ge=0)
    mean_ms: float = Field(0.0, ge=0)
    stddev_ms: float = Field(0.0, ge=0)

    def sample(self, rng: random.Random) -> float:
        """A delay in seconds."""
        if self.distribution == "fixed":
            ms = self.ms
        elif self.distribution == "uniform":
            ms = rng.uniform(self.min_ms, max(self.min_ms, self.max_ms))
        elif self.distribution == "normal":
            ms = max(0.0, rng.gauss(self.mean_ms, self.stddev_ms))
        else:
            ms = rng.expovariate(1.0 / self.mean_ms) if self.mean_ms > 0 else 0.0
        return ms / 1000.0


class SessionExpiry(_Strict):
    """End sessions early: after ``after_requests`` API requests, or after ``idle_seconds`` without
    one; at most ``times`` sessions in all (``None``: every session)."""

    after_requests: int | None = Field(None, ge=1)
    idle_seconds: float | None = Field(None, gt=0)
    times: int | None = Field(None, ge=1)


class FaultRule(_Strict):
    """What goes wrong at one tribunal (see the module docstring)."""

    error_rates: dict[int, Probability] = Field(default_factory=dict)
    rate_limit: Probability = Field(0.0, ge=0, le=1)
    retry_after: int = Field(1, ge=0)
    latency: Latency | None = None
    session_expiry: SessionExpiry | None = None
    waf: Probability = Field(0.0, ge=0, le=1)
    maintenance: Probability = Field(0.0, ge=0, le=1)
    reject_next_otp: int = Field(0, ge=0)
    slow_login_ms: float = Field(0.0, ge=0)
    expired_answer: Literal["401", "403", "login_page"] = "401"
    targets: tuple[Target, ...] = ("api",)
    totalizadores: dict[int, int] = Field(default_factory=dict)

    @field_validator("totalizadores")
    @classmethod
    def _check_totalizadores(cls, value: dict[int, int]) -> dict[int, int]:
        for agrupamento in value:
            if agrupamento not in (1, 2, 5):
                raise ValueError(f"agrupamento {agrupamento} sem totalizador (use 1, 2 ou 5)")
        return value

    @field_validator("error_rates")
    @classmethod
    def _check_error_rates(cls, value: dict[int, float]) -> dict[int, float]:
        for status, probability in value.items():
            if status not in (500, 502, 503, 504):
                raise ValueError(f"status {status} não é um 5xx simulado (use 500, 502, 503 ou 504)")
            if not 0 <= probability <= 1:
                raise ValueError(f"probabilidade {probability} fora de 0..1")
        if sum(value.values()) > 1:
            raise ValueError("a soma das probabilidades de 5xx passa de 1")
        return value


class FaultProfile(FaultRule):
    """A named rule for every tribunal, a seed, and optional per-tribunal rules."""

    name: str = "custom"
    seed: int = 0
    tribunais: dict[str, FaultRule] = Field(default_factory=dict)

    @field_validator("tribunais")
    @classmethod
    def _check_tribunais(cls, value: dict[str, FaultRule]) -> dict[str, FaultRule]:
        return {Tribunal.parse(code).value: rule for code, rule in value.items()}

    def rule_for(self, tribunal: Tribunal | None) -> FaultRule:
        if tribunal is not None and tribunal.value in self.tribunais:
            return self.tribunais[tribunal.value]
        return self

    @classmethod
    def parse(cls, data: Any) -> FaultProfile:
        """Validate a profile; raise ``ValueError`` with one readable line otherwise."""
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "perfil"
            raise ValueError(f"perfil de falhas inválido em {where}: {first['msg']}") from None


def bundled_profiles() -> list[str]:
    """Names of the profiles shipped in ``profiles/``."""
    folder = resources.files(__package__) / "profiles"
    return sorted(p.name.removesuffix(".json") for p in folder.iterdir() if p.name.endswith(".json"))


def load_profile(spec: str) -> FaultProfile:
    """A profile from a file path or a bundled profile name; ``ValueError`` with one line otherwise."""
    path = Path(spec)
    if path.suffix == ".json" or path.exists():
        if not path.is_file():
            raise ValueError(f"perfil de falhas {spec!r} não encontrado")
        text = path.read_text(encoding="utf-8")
    else:
        resource = resources.files(__package__) / "profiles" / f"{spec}.json"
        if not resource.is_file():
            names = ", ".join(bundled_profiles())
            raise ValueError(f"perfil de falhas {spec!r} não existe (perfis embutidos: {names}; ou um arquivo .json)")
        text = resource.read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"perfil de falhas {spec!r} não é JSON válido: linha {exc.lineno}: {exc.msg}") from None
    return FaultProfile.parse(data)


class Decision:
    """What to do with one request: wait ``delay`` seconds, then answer ``fault`` (or serve it)."""

    __slots__ = ("delay", "fault", "retry_after", "status")

    def __init__(self, delay: float = 0.0, fault: str | None = None, status: int = 200, retry_after: int = 0):
        self.delay = delay
        self.fault = fault
        self.status = status
        self.retry_after = retry_after


NO_FAULT = Decision()


class FaultEngine:
    """The active profile, its seeded random stream and the counts of what it injected."""

    def __init__(self, profile: FaultProfile | None = None) -> None:
        self._lock = threading.Lock()
        self.injected: Counter[str] = Counter()
        self.set_profile(profile or FaultProfile(name="none"))

    @property
    def profile(self) -> FaultProfile:
        return self._profile

    def set_profile(self, profile: FaultProfile) -> None:
        """Replace the profile; restart the random stream and the counted faults (OTP rejections, expiries)."""
        with self._lock:
            self._profile = profile
            self._rng = random.Random(profile.seed)
            self._otp_left: dict[str | None, int] = {None: profile.reject_next_otp}
            self._expiries_left: dict[str | None, int | None] = {
                None: profile.session_expiry.times if profile.session_expiry else None
            }
            for code, rule in profile.tribunais.items():
                self._otp_left[code] = rule.reject_next_otp
                self._expiries_left[code] = rule.session_expiry.times if rule.session_expiry else None
            self._active = profile != FaultProfile(name=profile.name, seed=profile.seed)

    def _key(self, tribunal: Tribunal | None) -> str | None:
        return tribunal.value if tribunal is not None and tribunal.value in self._profile.tribunais else None

    def decide(self, tribunal: Tribunal | None, target: Target) -> Decision:
        """Draw the faults of one request to a tribunal host (``api`` or ``pages``)."""
        if not self._active:
            return NO_FAULT
        rule = self._profile.rule_for(tribunal)
        if target not in rule.targets:
            return NO_FAULT
        with self._lock:
            rng = self._rng
            delay = rule.latency.sample(rng) if rule.latency else 0.0
            if rule.maintenance and rng.random() < rule.maintenance:
                return self._count(Decision(delay, "maintenance", 503))
            if rule.waf and rng.random() < rule.waf:
                return self._count(Decision(delay, "waf", 403))
            if rule.rate_limit and rng.random() < rule.rate_limit:
                return self._count(Decision(delay, "rate_limit", 429, rule.retry_after))
            if rule.error_rates:
                draw = rng.random()
                for status, probability in sorted(rule.error_rates.items()):
                    if draw < probability:
                        return self._count(Decision(delay, f"http_{status}", status))
                    draw -= probability
        return Decision(delay) if delay else NO_FAULT

    def _count(self, decision: Decision) -> Decision:
        self.injected[decision.fault or ""] += 1
        return decision

    def totalizadores_delta(self, tribunal: Tribunal | None) -> dict[int, int]:
        """What to add to each painel counter (``totalizadores``); counted as injected when not empty."""
        delta = self._profile.rule_for(tribunal).totalizadores
        if delta:
            with self._lock:
                self.injected["totalizadores"] += 1
        return dict(delta)

    def login_delay(self, tribunal: Tribunal | None) -> float:
        """Seconds to wait before answering a login page (``slow_login_ms``)."""
        return self._profile.rule_for(tribunal).slow_login_ms / 1000.0

    def take_otp_rejection(self, tribunal: Tribunal | None) -> bool:
        """``True`` when this OTP submission must be refused (one of the next N)."""
        with self._lock:
            key = self._key(tribunal)
            if self._otp_left.get(key, 0) > 0:
                self._otp_left[key] -= 1
                self.injected["otp_rejected"] += 1
                return True
        return False

    def expired_answer(self, tribunal: Tribunal) -> str:
        """How an API call without a live session is answered at ``tribunal``: ``401``, ``403`` or ``login_page``."""
        return self._profile.rule_for(tribunal).expired_answer

    def session_expired(self, tribunal: Tribunal, requests: int, idle: float) -> bool:
        """Whether a session that made ``requests`` API requests and was idle ``idle`` seconds ends now."""
        expiry = self._profile.rule_for(tribunal).session_expiry
        if expiry is None:
            return False
        hit = (expiry.after_requests is not None and requests > expiry.after_requests) or (
            expiry.idle_seconds is not None and idle > expiry.idle_seconds
        )
        if not hit:
            return False
        with self._lock:
            key = self._key(tribunal)
            left = self._expiries_left.get(key)
            if left is not None:
                if left <= 0:
                    return False
                self._expiries_left[key] = left - 1
            self.injected["session_expiry"] += 1
        return True

    def describe(self) -> dict[str, Any]:
        """The active profile as JSON, plus what is left of the counted faults."""
        return {
            "profile": self._profile.model_dump(mode="json"),
            "reject_next_otp_left": {k or "*": v for k, v in self._otp_left.items()},
            "session_expiries_left": {k or "*": v for k, v in self._expiries_left.items()},
            "injected": dict(self.injected),
        }
