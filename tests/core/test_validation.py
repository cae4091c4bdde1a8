"""CPF, CNPJ, OAB and URL validation, and the CPF mask."""

from __future__ import annotations

import pytest

from sinesys_spiders.core.errors import EntradaInvalida
from sinesys_spiders.core.validation import (
    UFS,
    mask_cpf,
    validate_cnpj,
    validate_cpf,
    validate_oab,
    validate_url,
)


@pytest.mark.parametrize("text", ["529.982.247-25", "52998224725", " 529.982.247-25 ", "111.444.777-35"])
def test_valid_cpf_is_returned_as_its_digits(text):
    """A valid CPF, formatted or not, comes back as 11 digits."""
    digits = validate_cpf(text)
    assert len(digits) == 11
    assert digits.isdigit()
    assert digits == "".join(ch for ch in text if ch.isdigit())


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("529.982.247-24", "verificadores"),
        ("52998224735", "verificadores"),
        ("111.111.111-11", "iguais"),
        ("00000000000", "iguais"),
        ("5299822472", "11 dígitos"),
        ("529982247251", "11 dígitos"),
        ("529.982.247/25", "11 dígitos"),
        ("abc", "11 dígitos"),
        ("", "11 dígitos"),
    ],
)
def test_invalid_cpf_says_why_without_repeating_it(text, reason):
    """A bad CPF is rejected with the reason, and the message never echoes the number."""
    with pytest.raises(EntradaInvalida, match=reason) as info:
        validate_cpf(text)
    digits = "".join(ch for ch in text if ch.isdigit())
    if digits:
        assert digits not in str(info.value)


def test_cnpj_check_digits():
    """A CNPJ is accepted with correct check digits and rejected otherwise."""
    assert validate_cnpj("11.222.333/0001-81") == "11222333000181"
    assert validate_cnpj("11222333000181") == "11222333000181"
    with pytest.raises(EntradaInvalida, match="verificadores"):
        validate_cnpj("11.222.333/0001-82")
    with pytest.raises(EntradaInvalida, match="iguais"):
        validate_cnpj("00000000000000")
    with pytest.raises(EntradaInvalida, match="14 dígitos"):
        validate_cnpj("1122233300018")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("MG123456", {"numero": "123456", "uf": "MG"}),
        ("mg123456", {"numero": "123456", "uf": "MG"}),
        ("SP 98765", {"numero": "98765", "uf": "SP"}),
        ("123456/DF", {"numero": "123456", "uf": "DF"}),
        ("RJ-1234A", {"numero": "1234A", "uf": "RJ"}),
    ],
)
def test_oab_is_split_into_numero_and_uf(text, expected):
    """An OAB number in the usual spellings becomes {numero, uf}."""
    assert validate_oab(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [("XX123456", "UF desconhecida"), ("MG", "UF seguida"), ("123456", "UF seguida"), ("MG0", "número")],
)
def test_invalid_oab_is_rejected(text, reason):
    """An OAB with an unknown UF or no number is rejected with the reason."""
    with pytest.raises(EntradaInvalida, match=reason):
        validate_oab(text)


def test_every_uf_is_known():
    """The 27 federative units are accepted for an OAB."""
    assert len(UFS) == 27
    for uf in UFS:
        assert validate_oab(f"{uf}1")["uf"] == uf


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("52998224725", "529.***.***-25"),
        ("529.982.247-25", "529.***.***-25"),
        ("123", "***"),
        (None, "***"),
        ("", "***"),
    ],
)
def test_mask_cpf_shows_only_the_first_three_and_last_two_digits(value, expected):
    """A masked CPF keeps only enough digits to recognise it; anything malformed is masked whole."""
    assert mask_cpf(value) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://pje.trt3.jus.br", "https://pje.trt3.jus.br"),
        ("http://127.0.0.1:8765/", "http://127.0.0.1:8765"),
        ("  https://sandbox.local/trt3/ ", "https://sandbox.local/trt3"),
    ],
)
def test_valid_urls_are_normalized(text, expected):
    """http and https URLs with a host are accepted, without the trailing slash."""
    assert validate_url(text) == expected


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("ftp://pje.trt3.jus.br", "http"),
        ("pje.trt3.jus.br", "http"),
        ("https://", "host"),
        ("https://user:pw@pje.trt3.jus.br", "usuário ou senha"),
        ("http://host:99999", "não é uma URL"),
        ("https://pje trt3.jus.br", "espaços"),
    ],
)
def test_invalid_urls_say_what_is_wrong(text, reason):
    """A URL override without http(s), without a host, or with credentials is rejected."""
    with pytest.raises(EntradaInvalida, match=reason):
        validate_url(text)
