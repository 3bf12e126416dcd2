"""Numbers as every output prints them: short (`format_number`), exact (`exact_number`), and next to
a threshold with just the digits that keep the printed number on the value's own side (`sided`).

A printed number is read back by `read_number` exactly as a reader would read it (`12.3k` is
12300, `−1.2e-6` is -0.0000012), so a test of the text is a test of what the reader sees.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation

MINUS = "−"
_SUFFIXES = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"))
_SCALE = {suffix: Decimal(int(scale)) for scale, suffix in _SUFFIXES}
_PLAIN = (1e-4, 1e15)  # plain digits from 0.0001 up to 999T; scientific outside
_MAX_DIGITS = 17  # significant digits that tell any two doubles apart


def format_number(v: float) -> str:
    """Short and true: 3 significant digits from 10,000 up with k/M/G/T (12.3k, 41.2k, 1M), plain
    below (7.25, 48.3, 1234), 2 significant digits under 1 (0.35, 0.0012), scientific beyond
    999T and under 0.0001 (1.2e15, 1.2e-6). Never `0` for a value that is not zero; always within
    5% of the value."""
    if math.isnan(v):
        return "no data"
    if math.isinf(v):
        return "∞" if v > 0 else MINUS + "∞"
    sign = MINUS if v < 0 else ""
    a = abs(v)
    if a == 0:
        return "0"
    if a >= 9999.5:  # would print as five or more digits: shorten
        rounded = float(f"{a:.3g}")  # rounding first, so 999,999 reads 1M and not 1000k
        for scale, suffix in _SUFFIXES:
            if rounded >= scale and rounded / scale < 1000:
                return f"{sign}{trim(rounded / scale, 2)}{suffix}"
        return f"{sign}{_scientific(a, 3)}"
    if a >= 100:
        return f"{sign}{a:.0f}"
    if a >= 10:
        return f"{sign}{trim(a, 1)}"
    if a >= 1:
        return f"{sign}{trim(a, 2)}"
    return f"{sign}{_scientific(a, 2)}"


def exact_number(v: float) -> str:
    """The shortest text that reads back as exactly `v` (the hover's "exact value"), in the same
    style: `−` for minus, `1e-5` rather than `1e-05`, `40000` rather than `40000.0`."""
    if not math.isfinite(v):
        return format_number(v)
    mantissa, _, exponent = repr(v + 0.0).partition("e")  # + 0.0: -0.0 reads 0
    mantissa = mantissa.removesuffix(".0")
    text = mantissa + (f"e{int(exponent)}" if exponent else "")
    return MINUS + text[1:] if text.startswith("-") else text


def read_number(text: str) -> float:
    """The number a reader reads in `text` (as this module prints them), correctly rounded."""
    try:
        return float(text)  # plain digits (most texts): correctly rounded
    except ValueError:
        pass
    t = text.strip().replace(MINUS, "-").replace(",", "")
    if t.lstrip("-") == "∞":
        return -math.inf if t.startswith("-") else math.inf
    try:
        if t[-1:] not in _SCALE:
            return float(t)  # correctly rounded, as Decimal would be
        return float(Decimal(t[:-1]) * _SCALE[t[-1]])  # exact scaling: 39.9995k is 39999.5
    except (ValueError, InvalidOperation):
        raise ValueError(f"not a number as printed: {text!r}") from None


def sided(value: float, base: str, fits: Callable[[str], bool]) -> str:
    """`base` (the short text of `value`) if `fits` accepts it, else the text with the fewest
    significant digits, then the fewest characters, that is closer to `value` and that `fits`
    accepts; `base` when none is (a band no digits can show, e.g. a FoM given against its raw)."""
    if not math.isfinite(value) or fits(base):
        return base
    off = abs(read_number(base) - value)
    for texts in _finer(value):
        good = [t for t in texts if abs(read_number(t) - value) < off and fits(t)]
        if good:
            return min(good, key=len)
    return base


def _finer(v: float) -> Iterator[list[str]]:
    """Texts of `v` with 2, 3, … 17 significant digits (each in every style that suits its size),
    then the exact text."""
    a, sign = abs(v), (MINUS if v < 0 else "")
    for digits in range(2, _MAX_DIGITS + 1):
        if not _PLAIN[0] <= a < _PLAIN[1]:
            texts = [_scientific(a, digits)]
        else:
            texts = [_fixed(a, digits)] + ([_suffixed(a, digits)] if a >= 9999.5 else [])
        yield [sign + t for t in texts if t]
    yield [exact_number(v)]


def _fixed(a: float, digits: int) -> str:
    exponent = math.floor(math.log10(a))
    exponent -= 10.0 ** exponent > a  # log10 rounds up just below a power of ten
    return trim(a, max(0, digits - 1 - exponent))


def _suffixed(a: float, digits: int) -> str:
    scale, suffix = next((s, x) for s, x in _SUFFIXES if a >= s)
    text = _fixed(a / scale, digits)
    return "" if read_number(text) >= 1000 else text + suffix  # 1000k: the plain text says it better


def _scientific(a: float, digits: int) -> str:
    """`digits` significant digits; plain down to 0.0001, then 1.2e-6 (no `+`, no leading zeros)."""
    text = f"{a:.{digits}g}"
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return f"{mantissa}e{int(exponent)}"


def trim(v: float, decimals: int) -> str:
    """`v` with `decimals` decimals, trailing zeros (and a trailing point) dropped."""
    text = f"{v:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
