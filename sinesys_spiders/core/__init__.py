"""Layer 0: the domain, settings, storage and services, with no Scrapy, Twisted, Playwright or Starlette."""
