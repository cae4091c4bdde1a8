"""Several workers on one capture: the shared scrapy-redis queue and its leases."""
