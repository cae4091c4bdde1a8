"""The browser that logins run in: Chromium through Playwright, with a realistic context.

One browser per login: :func:`login_page` starts (or connects to) the browser, opens a context
that looks like a Brazilian lawyer's Chrome on Windows (pje-api.md §1), yields a page, and closes
page, context and browser on the way out, whatever happened. No browser process outlives its login.

The driver uses Playwright's asyncio API directly, on the same event loop as Scrapy's asyncio
reactor, rather than scrapy-playwright's download handler: a login is not a Scrapy request, and it
must also run outside a crawl (benchmarks, the API).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import async_playwright

from sinesys_spiders.core.browser import BrowserChoice
from sinesys_spiders.core.errors import ConfiguracaoInvalida, NetworkError

__all__ = ["CONTEXT_OPTIONS", "INIT_SCRIPT", "USER_AGENT", "login_page"]

logger = logging.getLogger(__name__)

USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36"
)

#: The browser context of a real user in Brazil (pje-api.md §1).
CONTEXT_OPTIONS: dict[str, Any] = {
    "locale": "pt-BR",
    "timezone_id": "America/Sao_Paulo",
    "viewport": {"width": 1920, "height": 1080},
    "screen": {"width": 1920, "height": 1080},
    "user_agent": USER_AGENT,
    "extra_http_headers": {
        "Accept-Language": "pt-BR,pt;q=0.9,en-US;q=0.8,en;q=0.7",
        "Sec-Ch-Ua": '"Chromium";v="130", "Google Chrome";v="130", "Not?A_Brand";v="99"',
        "Sec-Ch-Ua-Mobile": "?0",
        "Sec-Ch-Ua-Platform": '"Windows"',
    },
}

#: Runs before any page script: the automation flag off, the plugins and languages of a real browser.
INIT_SCRIPT = """
Object.defineProperty(navigator, 'webdriver', {get: () => false});
Object.defineProperty(navigator, 'languages', {get: () => ['pt-BR', 'pt', 'en-US', 'en']});
Object.defineProperty(navigator, 'plugins', {get: () => [1, 2, 3, 4, 5]});
"""


@contextlib.asynccontextmanager
async def login_page(choice: BrowserChoice) -> AsyncIterator[Any]:
    """A fresh page in a fresh realistic context; everything is closed on exit."""
    async with async_playwright() as playwright:
        browser = await _start(playwright, choice)
        try:
            context = await browser.new_context(**CONTEXT_OPTIONS)
            try:
                await context.add_init_script(INIT_SCRIPT)
                page = await context.new_page()
                try:
                    yield page
                finally:
                    with contextlib.suppress(PlaywrightError):
                        await page.close()
            finally:
                with contextlib.suppress(PlaywrightError):
                    await context.close()
        finally:
            with contextlib.suppress(PlaywrightError):
                await browser.close()


async def _start(playwright: Any, choice: BrowserChoice) -> Any:
    try:
        if choice.cdp_url:
            return await playwright.chromium.connect_over_cdp(choice.cdp_url)
        options: dict[str, Any] = {"headless": choice.headless, "args": list(choice.args)}
        if choice.executable:
            options["executable_path"] = str(choice.executable)
        return await playwright.chromium.launch(**options)
    except PlaywrightError as exc:
        first = str(exc).strip().splitlines()[0][:160] if str(exc).strip() else type(exc).__name__
        if choice.cdp_url:
            raise NetworkError(f"não foi possível conectar ao navegador remoto (CDP): {first}") from None
        raise ConfiguracaoInvalida(f"não foi possível iniciar o Chromium ({choice.describe()}): {first}") from None
