"""Project Scrapy commands (``COMMANDS_MODULE``): ``crawl`` validates spider arguments before starting."""
