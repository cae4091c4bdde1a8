"""Sinesys Captura: plugin-based capture of Brazil's electronic court systems on Scrapy."""

from pathlib import Path

from setuptools import find_namespace_packages, setup

setup(
    name="sinesys-captura",
    version="0.1.0",
    description="Capture a lawyer's cases, hearings and deadlines from Brazil's courts.",
    long_description=Path("README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    python_requires=">=3.11",
    packages=find_namespace_packages(
        include=["sinesys_spiders*", "pipelines*", "plugins*", "api*", "scheduler*"], exclude=["*.__pycache__"]
    ),
    include_package_data=True,
    package_data={
        # PEP 561: the package ships its annotations (plugin authors type-check against them).
        "sinesys_spiders": ["py.typed"],
        "sinesys_spiders.core.db": ["alembic.ini", "migrations/*.py", "migrations/versions/*.py"],
        "plugins.pje_trt.sandbox": ["templates/*.html", "profiles/*.json"],
        # `sinesys plugin new`: the plugin package template.
        "sinesys_spiders.templates": ["plugin/*.tmpl", "plugin/*/*.tmpl", "plugin/*/*/*.tmpl"],
    },
    # Compatible ranges here; the exact versions we test live in requirements/constraints.txt.
    install_requires=[
        "scrapy>=2.13,<3",
        "scrapy-playwright>=0.0.46",
        "scrapy-spider-metadata>=0.2",
        "playwright>=1.50",
        "itemadapter>=0.10",
        "pydantic>=2.9,<3",
        "pydantic-settings>=2.6,<3",
        "sqlalchemy>=2.0.36,<2.2",
        "alembic>=1.14,<2",
        "psycopg[binary]>=3.2,<4",
        "pymongo>=4.10,<5",
        "redis>=5,<9",
        "scrapy-redis>=0.9",
        "pyotp>=2.9,<3",
        "cryptography>=43",
        "PyJWT>=2.9,<3",
        "click>=8.1,<9",
        "rich>=13",
        "starlette>=0.40,<2",
        "uvicorn>=0.30",
        "httpx>=0.27,<1",
        "stamina>=24.3",
        "scrapyd>=1.5",
        "scrapyd-client>=2.0",
        "argon2-cffi>=23.1,<26",
        "swagger-ui-py>=25,<26",
    ],
    extras_require={
        "test": [
            "pytest>=8.3",
            "pytest-asyncio>=0.24",
            "pytest-xdist>=3.6,<4",
            "mongomock>=4.2",
            "ruff>=0.8",
            "import-linter>=2.1",
            "schemathesis>=4.32,<5",
            "time-machine>=2.15",
            # Builds the project and the example plugin into the fresh venv of tests/plugins without isolation.
            "wheel>=0.43",
            "mypy>=2.4,<3",
        ],
        # Benchmarks' per-stage profiles (benchmarks/per_case.py).
        "bench": ["py-spy>=0.4,<0.5"],
    },
    entry_points={
        # Scrapyd eggs find the project's settings through this entry point.
        "scrapy": ["settings = sinesys_spiders.settings"],
        "console_scripts": ["sinesys = sinesys_spiders.cli:main"],
        # Tribunal plugins register here; the first-party one exactly like a third party's.
        "sinesys.tribunais": ["pje_trt = plugins.pje_trt.plugin:PjeTrtPlugin"],
        # Extra `sinesys` sub-commands contributed by plugins.
        "sinesys.commands": [
            "sandbox = plugins.pje_trt.sandbox.cli:sandbox",
            "demo = plugins.pje_trt.demo:demo",
            "capturas = scheduler.cli:capturas",
            "api = api.cli:api",
            "api-keys = api.cli:api_keys",
            "usuarios = api.cli:usuarios",
            "agendamentos = scheduler.cli_agendamentos:agendamentos",
            "scheduler = scheduler.cli_scheduler:scheduler",
        ],
        # Test helpers for plugin authors (sandbox fixtures, contract tests).
        "pytest11": [
            "sinesys = sinesys_spiders.testing.pytest_plugin",
            "sinesys_kit = sinesys_spiders.testing.kit.pytest_plugin",
        ],
    },
    classifiers=["Programming Language :: Python :: 3.11", "Framework :: Scrapy"],
)
