from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from diagramgen.spec.units import (
    MAX_QUANTITY,
    UnitError,
    format_bytes,
    format_cpu,
    parse_bytes,
    parse_cpu,
)

GIB = 1024**3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (0, 0),
        (1073741824, GIB),
        ("1GiB", GIB),
        ("1 GiB", GIB),
        ("1.5GiB", GIB * 3 // 2),
        ("512MiB", 512 * 1024**2),
        ("4GB", 4 * 10**9),
        ("4kB", 4000),
        ("4KB", 4000),
        ("3 KiB", 3072),
        ("2TiB", 2 * 1024**4),
        ("1PB", 10**15),
        ("1.1 GB", 1_100_000_000),
        ("0.5B", 1),  # half a byte rounds half-up
        ("0.4B", 0),
        ("62.32MB", 62_320_000),
        ("10B", 10),
    ],
)
def test_parse_bytes_accepts(text: object, expected: int) -> None:
    assert parse_bytes(text) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("4gb", 'did you mean "GB"'),
        ("4 gigs", 'unknown unit "gigs"'),
        ("GiB", "the number comes first"),
        ("1.5", "needs a unit"),
        (".5GiB", "leading zero"),
        ("-1GiB", "negative"),
        (-1, "negative"),
        (1.5, "whole number"),
        (math.nan, "NaN"),
        (math.inf, "NaN, Infinity"),
        ("4  GiB", "at most one space"),
        (" 4GiB", "no spaces around"),
        ("1e3 MB", "accepted:"),
        ("99999999999 PiB", "too large"),
        (2**63, "too large"),
        (True, "not a size"),
        (None, "not a size"),
        ([1], "not a size"),
        ("1" * 50 + "GiB", "too long"),
    ],
)
def test_parse_bytes_rejects_with_accepted_forms(value: object, fragment: str) -> None:
    with pytest.raises(UnitError, match=None) as raised:
        parse_bytes(value)
    message = str(raised.value)
    assert fragment in message
    if "too large" not in message:
        assert "KiB MiB GiB TiB PiB" in message


@pytest.mark.parametrize(
    ("value", "expected"),
    [(2, 2000), (0.5, 500), (0.125, 125), ("500m", 500), ("0m", 0), (0, 0), (1.0, 1000)],
)
def test_parse_cpu_accepts(value: object, expected: int) -> None:
    assert parse_cpu(value) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (-1, "negative"),
        (-0.5, "negative"),
        (0.0005, "0.001-core"),
        ("0.5", "write cores as a JSON number"),
        ("2", "write cores as a JSON number"),
        ("500 m", "not a CPU quantity"),
        ("-500m", "negative"),
        (math.nan, "NaN"),
        ("2 cores", "not a CPU quantity"),
        (False, "not a CPU quantity"),
    ],
)
def test_parse_cpu_rejects(value: object, fragment: str) -> None:
    with pytest.raises(UnitError) as raised:
        parse_cpu(value)
    assert fragment in str(raised.value)
    assert '"500m"' in str(raised.value)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0 B"),
        (1023, "1023 B"),
        (1024, "1 KiB"),
        (1536, "1.5 KiB"),
        (GIB, "1 GiB"),
        (GIB * 3 // 2, "1.5 GiB"),
        (1000 * 1024**2, "1000 MiB"),
        (int(12.34 * GIB), "12.3 GiB"),
        (int(123.4 * GIB), "123 GiB"),
        (1024**2 * 1023 + 1024**2 * 9 // 10, "1 GiB"),  # 1023.9 MiB rounds up to the next unit
        (5 * 1024**5, "5 PiB"),
        (3000 * 1024**5, "3000 PiB"),
    ],
)
def test_format_bytes(value: int, text: str) -> None:
    assert format_bytes(value) == text


@pytest.mark.parametrize(
    ("value", "text"), [(0, "0"), (500, "0.5"), (2000, "2"), (125, "0.125"), (1500, "1.5")]
)
def test_format_cpu(value: int, text: str) -> None:
    assert format_cpu(value) == text


def _significant_digits(text: str) -> int:
    number = text.split()[0].replace(".", "").lstrip("0")
    return len(number)


# Near the 2^63 limit, rounding up to 3 digits can leave the accepted range; stop below it.
@given(st.integers(min_value=0, max_value=2**62))
def test_format_then_parse_round_trips_within_rounding(value: int) -> None:
    text = format_bytes(value)
    back = parse_bytes(text.replace(" ", ""))
    # Three significant digits: the error is at most half a unit in the third digit (0.5 %).
    assert abs(back - value) <= max(1, value) * 0.005 + 0.5
    assert parse_bytes(text) == back
    integer_part = text.split()[0].split(".")[0]
    assert _significant_digits(text) <= max(3, len(integer_part))


@given(st.integers(min_value=0, max_value=10**9))
def test_cpu_format_then_parse_is_exact(millicores: int) -> None:
    assert parse_cpu(float(format_cpu(millicores))) == millicores or millicores > 2**53


@given(
    st.one_of(
        st.text(max_size=30),
        st.from_regex(r"-?[0-9]{0,4}(\.[0-9]{0,4})? {0,2}[A-Za-z]{0,4}m?", fullmatch=True),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(),
        st.none(),
        st.booleans(),
        st.lists(st.integers(), max_size=2),
    )
)
def test_parse_raises_only_our_error(value: object) -> None:
    for parse in (parse_bytes, parse_cpu):
        try:
            result = parse(value)
        except UnitError:
            continue
        assert isinstance(result, int)
        assert 0 <= result <= MAX_QUANTITY
