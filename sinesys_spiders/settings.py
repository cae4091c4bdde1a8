"""Scrapy settings of the Sinesys project (thin: values come from ``core.config``).

One configuration channel: every ``SINESYS_*`` value is read from the environment by the settings model
(:class:`~sinesys_spiders.core.config.Settings`, listed by ``sinesys config show``), so a terminal run, a ``local``
runner subprocess and a Scrapyd job see the same configuration; the ``SINESYS_*`` Scrapy settings below only hand
those values to the components (``-s`` still overrides one crawl).

Logins run in Chromium through Playwright (``sinesys_spiders.login``, on the crawl's asyncio loop); every data
request goes through Scrapy's ordinary HTTP downloader. scrapy-playwright's download handler is configured below
but not installed: it starts two Playwright drivers in every crawl (a second per list capture) for requests no
spider of ours sends. A plugin whose data needs a rendered page turns it on in its spider's ``custom_settings``
(``DOWNLOAD_HANDLERS = PLAYWRIGHT_DOWNLOAD_HANDLERS``) and sends ``meta={"playwright": True}``.
"""

from __future__ import annotations

import sys

from pydantic import ValidationError

from sinesys_spiders.core.browser import resolve_browser
from sinesys_spiders.core.config import get_settings
from sinesys_spiders.core.logsafe import install as _escape_log_values
from sinesys_spiders.core.privado import forcar_umask as _forcar_umask

_escape_log_values()  # a value from a tribunal (an id_externo with a newline) never forges a log line
_forcar_umask()  # the SQLite file, documents, feeds and logs a crawl creates are owner-only (0600/0700)

try:
    _settings = get_settings()
except ValidationError as _exc:  # one clear line, never a traceback with the bad value in it
    _bad = "; ".join(f"SINESYS_{'.'.join(map(str, e['loc'])).upper()}: {e['msg']}" for e in _exc.errors())
    sys.exit(f"erro: configuração inválida: {_bad}")
_browser = resolve_browser(_settings)

BOT_NAME = "sinesys"
SPIDER_MODULES = ["sinesys_spiders.spiders"]
NEWSPIDER_MODULE = "sinesys_spiders.spiders"

ADDONS: dict[str, int] = {}

# The asyncio reactor: Playwright's logins (and scrapy-playwright, when a spider installs it) share its loop.
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

#: For a spider's ``custom_settings["DOWNLOAD_HANDLERS"]`` when its requests need a browser (see the docstring).
PLAYWRIGHT_DOWNLOAD_HANDLERS = {
    "http": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
    "https": "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler",
}
PLAYWRIGHT_BROWSER_TYPE = "chromium"
PLAYWRIGHT_LAUNCH_OPTIONS = {"headless": _browser.headless, "args": list(_browser.args)}
if _browser.executable:
    PLAYWRIGHT_LAUNCH_OPTIONS["executable_path"] = str(_browser.executable)
# A remote browser (SINESYS_BROWSER_CDP_URL) is used by the login driver (sinesys_spiders.login), which
# never logs its URL; it is deliberately not handed to scrapy-playwright, which logs PLAYWRIGHT_CDP_URL.
PLAYWRIGHT_MAX_CONTEXTS = 4

# Security: no telnet console, no remote-control server, certificates verified.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
DOWNLOAD_VERIFY_CERTIFICATES = True  # Scrapy does not verify by default; a tribunal with a bad certificate fails
# Only http and https are downloaded: no file://, data:, s3:// or ftp:// whatever a URL (or the database) says.
# A stopping crawl cuts downloads still in flight after SINESYS_PARADA_ESPERA seconds (sinesys_spiders.parada).
DOWNLOAD_HANDLERS = {
    "file": None,
    "data": None,
    "s3": None,
    "ftp": None,
    "http": "sinesys_spiders.parada.HttpDownloadHandler",
    "https": "sinesys_spiders.parada.HttpDownloadHandler",
}
SINESYS_PARADA_ESPERA = _settings.parada_espera
# A tribunal's answer is never allowed to exhaust memory: 64 MB for anything (a document's PDF), and
# SINESYS_JSON_MAXSIZE for a JSON page (set per request by the spiders); Scrapy's default is 1 GiB.
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024
SINESYS_JSON_MAXSIZE = _settings.json_maxsize
# Paced paging: at most this many pages of one listing are pending (sinesys_spiders.core.paginacao), so a tribunal
# declaring thousands of pages never fills the scheduler, and a stop has little to drop.
SINESYS_PAGINAS_EM_VOO = _settings.paginas_em_voo

# The lawyer's own data behind a login: robots.txt does not apply to these API calls.
ROBOTSTXT_OBEY = False
COOKIES_ENABLED = True

# Polite defaults for real tribunals; per-tribunal slots come from each plugin's cortesia (spiders._politeness).
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.5
DOWNLOAD_DELAY_JITTER = 0.5
DOWNLOAD_TIMEOUT = 60

# Politeness per real tribunal host (a download slot per tribunal; see sinesys_spiders.spiders.base).
SINESYS_TRIBUNAL_CONCURRENCY = _settings.tribunal_concurrency
SINESYS_TRIBUNAL_DELAY = _settings.tribunal_delay

# Session turns and case locks (sinesys_spiders.spiders._turnos, _por_processo); from SINESYS_* like every value.
SINESYS_SESSAO_USO_TTL = _settings.sessao_uso_ttl
SINESYS_SESSAO_USO_ESPERA = _settings.sessao_uso_espera
SINESYS_PROCESSO_LOCK_TTL = _settings.processo_lock_ttl

# Retries: 429 and 5xx with exponential backoff, full jitter and Retry-After (sinesys_spiders.middlewares.retry).
RETRY_TIMES = 5
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524]
SINESYS_RETRY_BASE_DELAY = _settings.retry_base_delay
SINESYS_RETRY_MAX_DELAY = _settings.retry_max_delay
SINESYS_RETRY_AFTER_MAX = _settings.retry_after_max
DOWNLOADER_MIDDLEWARES = {
    # A capture request (or a redirect) that leaves its tribunal's host fails its credential (HOST_NAO_PERMITIDO),
    # before the session middleware could attach the credential's cookies.
    "sinesys_spiders.middlewares.hosts.HostsDoTribunalMiddleware": 640,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "sinesys_spiders.middlewares.retry.BackoffRetryMiddleware": 550,
    # Session cookies per credential and one re-login on expiry: before CookiesMiddleware (700) on the
    # way out, and sees a redirect to the login before RedirectMiddleware (600) on the way back.
    "sinesys_spiders.middlewares.session.SessionMiddleware": 650,
}

# Items: validated, raw page logged, upserted on natural keys, counted per credential (pipelines/); the capture
# extension (EXTENSIONS below) is the one writer of the history row.
ITEM_PIPELINES = {
    # Per-case items (partes, timeline) are stored in groups of cases before the list items' chain, then exported.
    "pipelines.processo.ProcessoPipeline": 50,
    "pipelines.validacao.ValidacaoPipeline": 100,
    "pipelines.rawlog.RawLogPipeline": 200,
    "pipelines.persistencia.PersistenciaPipeline": 300,
}

# List spiders yield the items of one answer as one Lote (a page of up to 100 rows): the processor hands each item
# to the pipelines above on its own, and feeds get one record per item (-O items.jsonl: a line per case).
ITEM_PROCESSOR = "pipelines.lotes.LotePipelineManager"
# Outputs of one callback handled in parallel. Scrapy starts this many tasks per response (default 100): an answer
# yields one lote plus its follow-up requests, so 16 is plenty and saves 84 tasks per page.
CONCURRENT_ITEMS = 16
# Answers being parsed and piped at once, in bytes of response body (Scrapy's default 5 MB is 100 PJE pages, i.e.
# 10,000 items alive at once): 1 MB keeps ~20 pages in flight, enough to keep the CPU busy, and memory flat.
SCRAPER_SLOT_MAX_ACTIVE_SIZE = 1_000_000
EXTENSIONS = {
    "scrapy.extensions.feedexport.FeedExporter": None,
    "sinesys_spiders.feeds.FeedExporter": 0,
    # The one writer of the capture's capturas_log row: start, heartbeat, results, end (sinesys_spiders.sinais).
    "sinesys_spiders.extensions.capturas.CapturaExtension": 10,
    # The stat sinesys/pedidos_pendentes_max: the most requests ever pending at once (paced paging keeps it low).
    "sinesys_spiders.extensions.fila.FilaStats": 20,
}
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = _settings.log_level
# Items in log lines (scraped, dropped, failed) by identity only: no parties' names or CPFs in the logs.
LOG_FORMATTER = "sinesys_spiders.logformatter.LogFormatter"

# `scrapy crawl` validates spider arguments first (one clear line and exit 2 on a bad one).
COMMANDS_MODULE = "sinesys_spiders.commands"
