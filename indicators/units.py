"""Units: how a unit written in a workbook converts to the catalog unit of an indicator.

A unit is a dimension and a scale: `万元` is money at 10⁴ yuan, `亿元` money at 10⁸ yuan, so 万元→亿元
is 10⁴/10⁸ = 0.0001. Counts keep their noun as the dimension (`个`, `家`, `户` …): 万户→户 converts,
but 个→家 does not, because a bureau writing a different noun may be counting something else.
Compound units (`元/千瓦时`, `分/kWh`) divide the numerator's scale by the denominator's.
Pure and cached: no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

#: Chinese magnitude prefixes, longest first so 万亿 wins over 万.
MAGNITUDES: dict[str, float] = {
    "万亿": 1e12,
    "十亿": 1e9,
    "千万": 1e7,
    "百万": 1e6,
    "十万": 1e5,
    "亿": 1e8,
    "万": 1e4,
    "千": 1e3,
    "百": 1e2,
    "十": 1e1,
    "": 1.0,
}

#: Nouns a count is written with; each is its own dimension.
COUNT_NOUNS: frozenset[str] = frozenset(
    {"个", "家", "户", "架", "座", "处", "项", "人", "台", "条", "套", "件", "部", "所", "次", "张"}
)

#: Units that carry no magnitude prefix: name → (dimension, scale).
_ATOMS: dict[str, tuple[str, float]] = {
    "元": ("money", 1.0),
    "角": ("money", 0.1),
    "分": ("money", 0.01),
    "厘": ("money", 0.001),
    "yuan": ("money", 1.0),
    "%": ("percent", 1.0),
    "百分比": ("percent", 1.0),
    "percent": ("percent", 1.0),
    "‰": ("percent", 0.1),
    "千分比": ("percent", 0.1),
    "千瓦时": ("energy", 1.0),
    "度": ("energy", 1.0),
    "kwh": ("energy", 1.0),
    "兆瓦时": ("energy", 1e3),
    "mwh": ("energy", 1e3),
    "瓦时": ("energy", 1e-3),
    "wh": ("energy", 1e-3),
    "kflops": ("flops", 1e3),
    "mflops": ("flops", 1e6),
    "gflops": ("flops", 1e9),
    "tflops": ("flops", 1e12),
    "pflops": ("flops", 1e15),
    "eflops": ("flops", 1e18),
    "zflops": ("flops", 1e21),
}

#: Base units that accept a Chinese magnitude prefix (万元, 亿千瓦时, 万户 …).
_PREFIXABLE: dict[str, tuple[str, float]] = {
    "元": ("money", 1.0),
    "千瓦时": ("energy", 1.0),
    **{noun: (f"count:{noun}", 1.0) for noun in COUNT_NOUNS},
}

_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Unit:
    """A parsed unit: what it measures and how many base units one of it is."""

    dimension: str
    scale: float


@dataclass(frozen=True, slots=True)
class Conversion:
    """The factor from a written unit to a catalog unit, or why there is none."""

    written: str
    catalog: str
    factor: float | None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.factor is not None


def unit_key(text: str) -> str:
    """Fold a unit as written (full-width, spaces, case) into the form the tables use."""
    folded = unicodedata.normalize("NFKC", text)
    return _SPACES.sub("", folded).casefold()


@lru_cache(maxsize=1024)
def parse_unit(text: str) -> Unit | None:
    """Parse `万元`, `%`, `元/千瓦时`, `万户` …; None when the unit is not known."""
    key = unit_key(text)
    if not key:
        return None
    if "/" in key:
        numerator, _, denominator = key.partition("/")
        top, bottom = _simple(numerator), _simple(denominator)
        if top is None or bottom is None:
            return None
        return Unit(f"{top.dimension}/{bottom.dimension}", top.scale / bottom.scale)
    return _simple(key)


def _simple(key: str) -> Unit | None:
    if key in _ATOMS:
        dimension, scale = _ATOMS[key]
        return Unit(dimension, scale)
    for prefix, magnitude in MAGNITUDES.items():
        if not key.startswith(prefix):
            continue
        base = key[len(prefix) :]
        if base in _PREFIXABLE:
            dimension, scale = _PREFIXABLE[base]
            return Unit(dimension, scale * magnitude)
    return None


@lru_cache(maxsize=4096)
def conversion(written: str, catalog: str) -> Conversion:
    """Factor that turns a value in `written` into `catalog`; an empty `written` means the catalog unit."""
    if not unit_key(written) or unit_key(written) == unit_key(catalog):
        return Conversion(written, catalog, 1.0)
    source, target = parse_unit(written), parse_unit(catalog)
    if source is None:
        return Conversion(written, catalog, None, f"unknown unit {written!r}")
    if target is None:
        return Conversion(written, catalog, None, f"unknown catalog unit {catalog!r}")
    if source.dimension != target.dimension:
        return Conversion(
            written,
            catalog,
            None,
            f"{written!r} ({source.dimension}) is not {catalog!r} ({target.dimension})",
        )
    return Conversion(written, catalog, source.scale / target.scale)


def is_known_unit(text: str) -> bool:
    """Whether the text is a unit at all (used to tell `(万元)` from `(含综改区)` in a header)."""
    return parse_unit(text) is not None
