"""PJE's quirky timestamps become aware UTC datetimes."""

from __future__ import annotations

import datetime as dt

import pytest

from sinesys_spiders.core.timeutil import ensure_utc, parse_date_origem, parse_datetime_origem, utcnow

UTC = dt.UTC


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-07-11T11:12:15", dt.datetime(2025, 7, 11, 14, 12, 15, tzinfo=UTC)),
        ("2025-07-11T11:12:15.261", dt.datetime(2025, 7, 11, 14, 12, 15, 261000, tzinfo=UTC)),
        ("2025-11-17T23:59:59.999999", dt.datetime(2025, 11, 18, 2, 59, 59, 999999, tzinfo=UTC)),
        ("2025-11-17T23:59:59.9", dt.datetime(2025, 11, 18, 2, 59, 59, 900000, tzinfo=UTC)),
        ("2025-11-17 08:00", dt.datetime(2025, 11, 17, 11, 0, tzinfo=UTC)),
        ("2025-11-17", dt.datetime(2025, 11, 17, 3, 0, tzinfo=UTC)),
    ],
)
def test_zone_less_times_are_brasilia(text: str, expected: dt.datetime) -> None:
    """A zone-less PJE time with 0 to 6 fraction digits is read as -03:00 and returned in UTC."""
    parsed = parse_datetime_origem(text)
    assert parsed == expected
    assert parsed is not None
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-07-11T11:12:15Z", dt.datetime(2025, 7, 11, 11, 12, 15, tzinfo=UTC)),
        ("2025-07-11T11:12:15.5+02:00", dt.datetime(2025, 7, 11, 9, 12, 15, 500000, tzinfo=UTC)),
        ("2025-07-11T11:12:15-0300", dt.datetime(2025, 7, 11, 14, 12, 15, tzinfo=UTC)),
    ],
)
def test_explicit_offsets_are_honoured(text: str, expected: dt.datetime) -> None:
    """A trailing Z or offset wins over the Brasília default."""
    assert parse_datetime_origem(text) == expected


@pytest.mark.parametrize("text", [None, "", "   "])
def test_empty_is_none(text: str | None) -> None:
    """Missing PJE times are None, not an error."""
    assert parse_datetime_origem(text) is None
    assert parse_date_origem(text) is None


@pytest.mark.parametrize("text", ["17/11/2025", "2025-13-01T00:00:00", "ontem", "2025-11-17T25:00:00"])
def test_garbage_raises_value_error_naming_the_value(text: str) -> None:
    """An unreadable time is a ValueError that says it is the tribunal's date/time that could not be read."""
    with pytest.raises(ValueError, match="data/hora do tribunal"):
        parse_datetime_origem(text)


def test_parse_pje_date_keeps_the_local_date() -> None:
    """A late-evening Brasília time keeps its Brasília calendar date."""
    assert parse_date_origem("2025-11-17T23:30:00") == dt.date(2025, 11, 17)
    assert parse_date_origem("2025-11-17") == dt.date(2025, 11, 17)


def test_utcnow_is_aware_utc_and_naive_is_refused() -> None:
    """utcnow() is aware UTC; ensure_utc refuses naive datetimes instead of guessing their zone."""
    assert utcnow().utcoffset() == dt.timedelta(0)
    with pytest.raises(ValueError):
        ensure_utc(dt.datetime(2025, 1, 1))
