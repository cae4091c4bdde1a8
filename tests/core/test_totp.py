"""A credential's TOTP secret with its period and digits: bare base32 (PJE's 30 s / 6) or an ``otpauth://`` URI."""

from __future__ import annotations

import pyotp
import pytest

from sinesys_spiders.core.credenciais_input import CampoInvalido, NovaCredencial, normalize_totp_secret
from sinesys_spiders.core.errors import ConfiguracaoInvalida
from sinesys_spiders.core.otp import TotpProvider, otp_provider_for
from sinesys_spiders.core.totp import TotpSpec, parse_totp
from sinesys_spiders.testing.canary import CANARY_SENHA, CANARY_TOTP_SECRET

URI = f"otpauth://totp/PJE:52998224725?secret={CANARY_TOTP_SECRET}&issuer=PJE&period=2&digits=8&algorithm=SHA1"


def test_a_bare_secret_is_pjes_thirty_seconds_and_six_digits():
    """A secret typed as base32 (grouped, lower case, padded) means 30-second steps and 6-digit codes."""
    spec = parse_totp("canary totp secret xkq7 zb4m wn5l pd2j")
    assert (spec.secret, spec.period, spec.digits) == (CANARY_TOTP_SECRET, 30, 6)
    assert spec.is_default
    assert spec.text() == CANARY_TOTP_SECRET


def test_an_otpauth_uri_carries_its_period_and_digits_and_is_stored_canonically():
    """A key URI's period and digits are kept; label and issuer are dropped; the secret never reaches a repr."""
    spec = parse_totp(URI)
    assert (spec.secret, spec.period, spec.digits) == (CANARY_TOTP_SECRET, 2, 8)
    assert spec.text() == f"otpauth://totp/sinesys?secret={CANARY_TOTP_SECRET}&period=2&digits=8"
    assert parse_totp(spec.text()) == spec
    assert CANARY_TOTP_SECRET not in repr(spec)
    default = parse_totp(f"otpauth://totp/x?secret={CANARY_TOTP_SECRET.lower()}&period=30")
    assert default.text() == CANARY_TOTP_SECRET  # PJE's parameters: stored as the bare secret


@pytest.mark.parametrize(
    ("uri", "problem"),
    [
        (f"otpauth://hotp/x?secret={CANARY_TOTP_SECRET}&counter=1", "tipo totp"),
        ("otpauth://totp/x?period=30", "sem o parâmetro secret"),
        (f"otpauth://totp/x?secret={CANARY_TOTP_SECRET}&algorithm=SHA256", "SHA1"),
        (f"otpauth://totp/x?secret={CANARY_TOTP_SECRET}&period=0", "period"),
        (f"otpauth://totp/x?secret={CANARY_TOTP_SECRET}&period=abc", "period"),
        (f"otpauth://totp/x?secret={CANARY_TOTP_SECRET}&digits=5", "digits"),
        (f"otpauth://totp/x?secret={CANARY_TOTP_SECRET}&digits=9", "digits"),
        (f"otpauth://totp/x?secret={CANARY_TOTP_SECRET}&peroid=30", "desconhecido"),
    ],
    ids=["hotp", "no-secret", "sha256", "period-0", "period-text", "digits-5", "digits-9", "typo"],
)
def test_a_bad_uri_is_refused_by_field_without_the_secret(uri: str, problem: str):
    """Another OTP type or algorithm, out-of-range period or digits, or a typo: one clear reason, no secret."""
    with pytest.raises(CampoInvalido) as info:
        normalize_totp_secret(uri)
    message = str(info.value)
    assert problem in message
    assert info.value.campo == "totp_secret"
    assert CANARY_TOTP_SECRET not in message


def test_a_uri_with_a_short_secret_is_refused_like_a_bare_one():
    """The base32 and length rules apply to the secret inside a URI too."""
    with pytest.raises(CampoInvalido, match="curto demais"):
        normalize_totp_secret("otpauth://totp/x?secret=JBSWY3DPEHPK3PXP&period=2")
    with pytest.raises(CampoInvalido, match="não é base32"):
        normalize_totp_secret("otpauth://totp/x?secret=0189-not-base32-0189-0189&period=2")


async def test_the_provider_computes_codes_with_the_uris_period_and_digits():
    """Codes of a URI secret are pyotp's for that period and length; the login waits in those steps."""
    provider = otp_provider_for(totp_secret=normalize_totp_secret(URI))
    assert isinstance(provider, TotpProvider)
    assert (provider.period, provider.digits) == (2, 8)
    totp = pyotp.TOTP(CANARY_TOTP_SECRET, interval=2, digits=8)
    codes = await provider.codes(passo=1_000)
    assert (codes.atual, codes.proximo) == (totp.at(2_000), totp.at(2_002))
    assert CANARY_TOTP_SECRET not in repr(provider)
    with pytest.raises(ConfiguracaoInvalida, match="digits") as info:
        TotpProvider(f"otpauth://totp/x?secret={CANARY_TOTP_SECRET}&digits=12")
    assert CANARY_TOTP_SECRET not in str(info.value)


def test_a_spec_builds_the_generator_the_sso_checks_against():
    """``TotpSpec.totp()`` is the same generator on both sides (sandbox SSO and login)."""
    spec = TotpSpec(secret=CANARY_TOTP_SECRET, period=5, digits=7)
    assert spec.totp().at(100) == pyotp.TOTP(CANARY_TOTP_SECRET, interval=5, digits=7).at(100)


def test_a_stored_uri_credential_gives_a_login_with_its_period(credenciais_service, advogado_id):
    """A credential added with a URI keeps its period through encryption: the login's provider uses it."""
    nova = NovaCredencial.from_values(
        advogado_id=advogado_id, tribunal="TRT3", grau="primeiro_grau", senha=CANARY_SENHA, totp_secret=URI
    )
    credencial = credenciais_service.get(credenciais_service.add(nova))
    provider = otp_provider_for(**credencial.otp_config())
    assert (provider.period, provider.digits) == (2, 8)
    assert CANARY_TOTP_SECRET not in repr(credencial)
