"""Values from a tribunal or a user never forge a log line or drive a terminal (issue 17, item 6)."""

from __future__ import annotations

import io
import logging

import scrapy
from scrapy.utils.log import logformatter_adapter
from scrapy.utils.test import get_crawler

import sinesys_spiders.settings as projeto
from sinesys_spiders.core.logsafe import escapar, limpar
from sinesys_spiders.logformatter import LogFormatter

FORJADA = "1\n2026-12-02 01:00:00 [sinesys] ERROR credencial 3: SENHA_INVALIDA"


def _log(msg: str, args: object) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("teste.logsafe")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning(msg, args) if not isinstance(args, tuple) else logger.warning(msg, *args)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_a_value_with_a_newline_stays_on_its_log_line() -> None:
    """The project's settings escape the arguments of every log record: a forged second line never appears."""
    assert projeto.BOT_NAME  # importing the settings installs the escaping, as every crawl does
    out = _log("processo %s sem partes", (FORJADA,))
    assert out.count("\n") == 1
    assert "\\n2026-12-02" in out


def test_a_scraped_item_with_a_newline_in_id_pje_is_one_line_per_value() -> None:
    """The item line Scrapy writes for a dict item whose id_externo holds a newline: the value is escaped."""
    spider = scrapy.Spider("acervo_geral")
    spider.crawler = get_crawler(settings_dict={"LOG_FORMATTER": projeto.LOG_FORMATTER})
    _level, msg, args = logformatter_adapter(
        LogFormatter().scraped({"id_externo": FORJADA, "tribunal": "TRT3"}, None, spider)
    )
    out = _log(msg, args)
    assert not any(line.startswith("2026-12-02") for line in out.splitlines())


def test_terminal_output_shows_control_characters_instead_of_running_them() -> None:
    """An ANSI escape or a carriage return stored by a tribunal is printed escaped; tabs are kept."""
    assert limpar("a\x1b[2Jb\rc\td") == "a\\x1b[2Jb\\rc\td"
    assert escapar("x\u2028y") == "x\\u2028y"


def test_a_cpf_typed_in_the_wrong_field_is_never_echoed() -> None:
    """Error messages quote a typed value with long digit runs masked: a CPF in the OAB or tribunal field."""
    import pytest

    from sinesys_spiders.core.domain import Tribunal, parse_grau
    from sinesys_spiders.core.errors import EntradaInvalida
    from sinesys_spiders.core.validation import validate_oab

    for cpf in ("52998224725", "529.982.247-25"):
        for check in (validate_oab, Tribunal.parse, parse_grau):
            with pytest.raises((EntradaInvalida, ValueError)) as info:
                check(cpf)
            assert "52998224725" not in str(info.value).replace(".", "").replace("-", "")
