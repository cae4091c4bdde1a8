"""Scrapy extensions of the project (driven by signals, like Scrapy's own ``CoreStats``)."""
