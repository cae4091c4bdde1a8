"""The kit's pytest plugin (``pytest11`` entry point ``sinesys_kit``): the ``--sinesys-plugin`` option.

Import-light: it never imports the kit. Contract classes (subclasses of
:class:`~sinesys_spiders.testing.kit.ContratoPlugin`) run only where a test module subclasses one; with
``--sinesys-plugin NAME`` (repeatable) only the contracts of those plugins run, the others are deselected.
"""

from __future__ import annotations

import pytest


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sinesys", "Sinesys Captura")
    group.addoption(
        "--sinesys-plugin",
        action="append",
        default=[],
        metavar="NAME",
        help="run the plugin contract kit only for these tribunal plugins (entry point names)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "sinesys_kit: a test of the tribunal plugin contract kit")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    nomes = set(config.getoption("--sinesys-plugin") or [])
    kept, dropped = [], []
    for item in items:
        cls = getattr(item, "cls", None)
        if cls is not None and getattr(cls, "_sinesys_kit", False):
            item.add_marker(pytest.mark.sinesys_kit)
            if nomes and getattr(cls, "plugin", None) not in nomes:
                dropped.append(item)
                continue
        kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
