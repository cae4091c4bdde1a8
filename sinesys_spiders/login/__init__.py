"""Logins and sessions: the Playwright browser driver and the session manager (DESIGN.md §3 step 2)."""

from __future__ import annotations

from sinesys_spiders.login.manager import LoginRetry, SessionManager, StepOtp

__all__ = ["LoginRetry", "SessionManager", "StepOtp"]
