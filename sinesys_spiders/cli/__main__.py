"""``python -m sinesys_spiders.cli``: the ``sinesys`` command without its console script."""

from sinesys_spiders.cli import main

main()
