"""The browser that logins run in: Chromium through Playwright, with a realistic context.

Every login gets a fresh context that looks like a Brazilian lawyer's Chrome on Windows (pje-api.md §1), closed with
its page on the way out, whatever happened. :func:`login_page` starts (or connects to) a browser for that one login
and closes it too; :class:`NavegadorCompartilhado` keeps one browser for the logins of a process (a crawl logging
several credentials in starts Chromium once, not once per credential) and closes it once no login has used it for
``ocioso`` seconds, or on :meth:`~NavegadorCompartilhado.fechar`. Contexts share nothing (cookies, storage), so a
login never sees another's session.

The driver uses Playwright's asyncio API directly, on the same event loop as Scrapy's asyncio
reactor, rather than scrapy-playwright's download handler: a login is not a Scrapy request, and it
must also run outside a crawl (benchmarks, the API).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from playwright.async_api import Error as PlaywrightError
from playwright.async_api import async_playwright

from sinesys_spiders.core.browser import BrowserChoice
from sinesys_spiders.core.errors import ConfiguracaoInvalida, NetworkError

__all__ = ["CONTEXT_OPTIONS", "INIT_SCRIPT", "USER_AGENT", "NavegadorCompartilhado", "login_page"]

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
    """A fresh page in a fresh realistic context of a browser of its own; everything is closed on exit."""
    async with async_playwright() as playwright:
        browser = await _start(playwright, choice)
        try:
            async with _pagina(browser) as page:
                yield page
        finally:
            with contextlib.suppress(PlaywrightError):
                await browser.close()


@contextlib.asynccontextmanager
async def _pagina(browser: Any) -> AsyncIterator[Any]:
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


class NavegadorCompartilhado:
    """One browser for the logins of one process and event loop, each login in its own fresh context."""

    def __init__(self, choice: BrowserChoice, *, ocioso: float = 10.0) -> None:
        self._choice = choice
        self.ocioso = ocioso
        self._guarda: asyncio.Lock | None = None
        self._playwright: Any = None
        self._browser: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._em_uso = 0
        self._fechamento: asyncio.TimerHandle | None = None
        #: Browsers started so far (a browser that crashed or was closed for idleness is started again).
        self.iniciados = 0

    @contextlib.asynccontextmanager
    async def pagina(self) -> AsyncIterator[Any]:
        """A fresh page in a fresh realistic context of the shared browser (started if needed)."""
        loop = asyncio.get_running_loop()
        if self._loop is not loop:  # a new event loop (outside a crawl): the old loop's browser is unreachable
            self._guarda, self._playwright, self._browser, self._loop = asyncio.Lock(), None, None, loop
        assert self._guarda is not None
        async with self._guarda:
            if self._fechamento is not None:
                self._fechamento.cancel()
                self._fechamento = None
            if self._browser is None or not self._browser.is_connected():
                await self._encerrar()
                self._playwright = await async_playwright().start()
                try:
                    self._browser = await _start(self._playwright, self._choice)
                except BaseException:
                    await self._encerrar()
                    raise
                self.iniciados += 1
            browser = self._browser
            self._em_uso += 1
        try:
            async with _pagina(browser) as page:
                yield page
        finally:
            self._em_uso -= 1
            if self._em_uso == 0 and self._fechamento is None:
                self._fechamento = loop.call_later(self.ocioso, lambda: asyncio.ensure_future(self._fechar_ocioso()))

    async def _fechar_ocioso(self) -> None:
        self._fechamento = None
        if self._guarda is None:
            return
        async with self._guarda:
            if self._em_uso == 0 and self._fechamento is None:
                await self._encerrar()

    async def fechar(self) -> None:
        """Close the browser now (the logins of this process are over)."""
        if self._fechamento is not None:
            self._fechamento.cancel()
            self._fechamento = None
        await self._encerrar()

    async def _encerrar(self) -> None:
        browser, playwright, self._browser, self._playwright = self._browser, self._playwright, None, None
        if browser is not None:
            with contextlib.suppress(PlaywrightError):
                await browser.close()
        if playwright is not None:
            with contextlib.suppress(PlaywrightError):
                await playwright.stop()


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
