"""Which browser the logins use: remote over CDP, a given Chromium, the system's, or Playwright's own."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

from sinesys_spiders.core.config import Settings

__all__ = ["SYSTEM_CHROMIUM_PATHS", "BrowserChoice", "resolve_browser"]

SYSTEM_CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")

#: Flags for a headless Chromium on a closed network (no background calls home).
CHROMIUM_ARGS = (
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)


@dataclasses.dataclass(frozen=True, slots=True)
class BrowserChoice:
    """``cdp_url`` set: connect to a remote browser. Else launch ``executable`` (``None``: Playwright's own)."""

    executable: Path | None
    cdp_url: str | None
    headless: bool = True
    args: tuple[str, ...] = CHROMIUM_ARGS

    def describe(self) -> str:
        if self.cdp_url:
            return "remote browser over CDP"
        return str(self.executable) if self.executable else "Playwright's own Chromium"


def resolve_browser(settings: Settings) -> BrowserChoice:
    """``SINESYS_BROWSER_CDP_URL``, else ``SINESYS_BROWSER_EXECUTABLE``, else the system's Chromium if
    present, else Playwright's bundled browser."""
    cdp = settings.browser_cdp_url.get_secret_value() if settings.browser_cdp_url else None
    if cdp:
        return BrowserChoice(executable=None, cdp_url=cdp, headless=settings.browser_headless)
    if settings.browser_executable:
        return BrowserChoice(settings.browser_executable, None, settings.browser_headless)
    for candidate in SYSTEM_CHROMIUM_PATHS:
        if Path(candidate).exists():
            return BrowserChoice(Path(candidate), None, settings.browser_headless)
    found = shutil.which("chromium")
    return BrowserChoice(Path(found) if found else None, None, settings.browser_headless)
