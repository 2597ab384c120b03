"""The sample's oracle: re-read data/sample/ independently of etl/ (pandas/openpyxl) and check it.

It fails on a missing or repeated key, a stock that falls where none should, a broken year-to-date
series, a moved published anchor, or a target status that differs from data/sample/README.md.
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd

from sample_data.figures import (
    AS_OF,
    CITIES,
    DIGITAL_ECONOMY,
    DIPS,
    EARLIER_AS_OF,
    GDP,
    JINZHONG,
    OUT,
    PLAN_PATH,
    PROVINCE,
    PUBLISHED,
    REVISION_FILE,
    TAIYUAN,
    ZONE,
    Key,
)
from sample_data.values import Indicator, Region, allowed_regions, load_catalog, periods_of

UNIT_FACTORS = {("万元", "亿元"): 1e-4, ("万户", "户"): 1e4, ("万个", "个"): 1e4}
_HEADER = re.compile(r"^(?P<name>.+?)\s*[（(](?P<unit>[^（）()]+)[）)]$")
_PERIODS = [
    (re.compile(r"^(\d{4})Q([1-4])$"), lambda m: f"{m[1]}Q{m[2]}"),
    (re.compile(r"(\d{4})年第?([一二三四])季度"), lambda m: f"{m[1]}Q{' 一二三四'.index(m[2])}"),
    (re.compile(r"(\d{4})年1-(3|6|9|12)月"), lambda m: f"{m[1]}Q{int(m[2]) // 3}"),
    (re.compile(r"^(\d{4})年$"), lambda m: m[1]),
]


class Lookup:
    def __init__(self, indicators: dict[str, Indicator], regions: dict[str, Region]) -> None:
        self.indicators = indicators
        self.ind = {}
        for ind in indicators.values():
            for label in (ind.code, ind.name, *ind.aliases):
                self.ind[label] = ind.code
        self.reg = {"合计": PROVINCE}
        for r in regions.values():
            for label in (r.code, r.name, r.short_name, *r.aliases):
                self.reg[label] = r.code

    def indicator(self, label: str) -> tuple[str, str | None]:
        """Indicator code and the unit written in the label, if any."""
        match = _HEADER.match(label)  # a bracketed unit first, as the reader does: `IPv6活跃用户数(万户)`
        if match and match["name"] in self.ind:
            return self.ind[match["name"]], match["unit"]
        return self.ind[label], None

    def factor(self, code: str, unit: str | None) -> float:
        catalog = self.indicators[code].unit
        return 1.0 if unit in (None, catalog) else UNIT_FACTORS[(unit, catalog)]


def _period(text: str) -> str:
    for pattern, build in _PERIODS:
        match = pattern.search(text)
        if match:
            return build(match)
    raise ValueError(f"unreadable period {text!r}")


def _number(cell: object) -> float | None:
    if cell is None or (isinstance(cell, float) and np.isnan(cell)):
        return None
    if isinstance(cell, int | float):
        return float(cell)
    text = str(cell).strip().replace(",", "")
    return None if text in ("", "—") else float(text)


Record = tuple[str, str, str, float | None, str]  # indicator, region, period, value, file


def read_back(folder: Path, lookup: Lookup) -> list[Record]:
    records: list[Record] = []
    for path in sorted(folder.iterdir()):
        if path.suffix == ".csv":
            encoding = "utf-8-sig"
            try:
                path.read_bytes().decode(encoding)
            except UnicodeDecodeError:
                encoding = "gb18030"
            frame = pd.read_csv(path, encoding=encoding, dtype=str, keep_default_na=False)
            for row in frame.itertuples(index=False):
                code, _ = lookup.indicator(row.指标)
                value = _number(row.数值)
                factor = lookup.factor(code, row.单位)
                records.append(
                    (
                        code,
                        lookup.reg[row.地区],
                        _period(row.时期),
                        None if value is None else value * factor,
                        path.name,
                    )
                )
        elif path.suffix == ".xlsx":
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            for ws in wb.worksheets:
                grid = [list(r) for r in ws.iter_rows(values_only=True)]
                header = grid[2]
                if header[0] == "指标":  # periods across
                    periods = [_period(str(h)) for h in header[2:]]
                    for row in grid[3:]:
                        code, unit = lookup.indicator(row[0])
                        for period, cell in zip(periods, row[2:], strict=True):
                            records.append((code, lookup.reg[row[1]], period, _number(cell), path.name))
                    continue
                period = _period(grid[0][0])
                columns = [lookup.indicator(h) for h in header[1:]]
                for row in grid[3:]:
                    for (code, unit), cell in zip(columns, row[1:], strict=True):
                        value = _number(cell)
                        scaled = None if value is None else round(value * lookup.factor(code, unit), 6)
                        records.append((code, lookup.reg[row[0]], period, scaled, path.name))
    return records


def _ordinal(period: str) -> int:
    year = int(period[:4])
    return year * 12 + (3 * int(period[-1]) if "Q" in period else 12)


def _status(
    target: dict, series: dict[str, float], ind: Indicator, thresholds: dict, as_of: str
) -> tuple[str, str]:
    """Status by DESIGN.md's progress method, as indicators/progress.py applies it.

    C is the latest value at or before min(as-of, deadline): after its deadline a target is judged on the
    deadline's data. e runs from the baseline to C's own period. `ρ@as-of` shows e measured to the as-of
    period instead (it differs for annual indicators, whose latest value in 2025Q3 is 2024's).
    """
    base_period = "2020Q4" if ind.frequency == "quarterly" else "2020"
    b, t = series[base_period], float(target["value"])
    deadline = target["year"] * 12 + 12
    cutoff = min(_ordinal(as_of), deadline)
    latest = max((p for p in series if _ordinal(p) <= cutoff), key=_ordinal)
    c = series[latest]
    meets = {">=": c >= t, ">": c > t, "<=": c <= t, "<": c < t}[target["comparator"]]
    span = deadline - _ordinal(base_period)

    def ratio(at: int) -> tuple[float, float, float]:
        e = min(max((at - _ordinal(base_period)) / span, 0.0), 1.0)
        expected = b * (t / b) ** e if target.get("trajectory") == "geometric" else b + (t - b) * e
        return e, expected, 1.0 if expected == b else (c - b) / (expected - b)

    e, expected, rho = ratio(_ordinal(latest))
    rho_as_of = ratio(cutoff)[2]
    detail = (
        f"B={b:g} ({base_period}) C={c:g} ({latest}) T={t:g} e={e:.3f} E={expected:.4g} ρ={rho:.3f}"
        f" ρ@as-of={rho_as_of:.3f}"
    )
    if meets:
        return "achieved 已完成", detail
    if _ordinal(as_of) >= deadline:
        return "missed 未完成", detail
    for status, threshold in (
        ("ahead 超前", 1.0),
        ("on_track 正常", thresholds["on_track"]),
        ("behind 滞后", thresholds["behind"]),
    ):
        if rho >= threshold:
            return status, detail
    return "severely_behind 严重滞后", detail


def check(folder: Path = OUT) -> bool:
    """Re-read the sample folder, print what was found and every failure; True when nothing failed."""
    indicators, regions, targets = load_catalog()
    thresholds = tomllib.loads(PLAN_PATH.read_text(encoding="utf-8"))["thresholds"]
    lookup = Lookup(indicators, regions)
    records = read_back(folder, lookup)
    out: list[str] = []
    ok = True

    def fail(message: str) -> None:
        nonlocal ok
        ok = False
        out.append(f"  FAIL {message}")

    originals = [r for r in records if r[4] != REVISION_FILE]
    revisions = [r for r in records if r[4] == REVISION_FILE]
    counts = Counter((r[0], r[1], r[2]) for r in originals)
    expected = {
        (i.code, reg, p) for i in indicators.values() for reg in allowed_regions(i) for p in periods_of(i)
    }
    duplicates = [k for k, n in counts.items() if n > 1]
    missing_keys, extra_keys = expected - set(counts), set(counts) - expected
    blanks = [r for r in originals if r[3] is None]
    out.append(
        f"files: {len({r[4] for r in records})}, values read: {len(records)} "
        f"({len(originals)} originals + {len(revisions)} revisions)"
    )
    out.append(
        f"coverage: {len(expected)} expected keys (indicator × allowed region × period), "
        f"{len(counts)} found, {len(duplicates)} duplicated, {len(missing_keys)} absent, "
        f"{len(extra_keys)} not allowed; {len(blanks)} deliberately blank/— cells"
    )
    for problem, keys in (("duplicated", duplicates), ("absent", missing_keys), ("not allowed", extra_keys)):
        if keys:
            fail(f"{problem}: {sorted(keys)[:5]}")
    for r in revisions:
        if counts.get((r[0], r[1], r[2])) != 1:
            fail(f"revision of a value never published: {r[:3]}")

    final: dict[Key, float] = {(r[0], r[1], r[2]): r[3] for r in originals if r[3] is not None}
    final.update({(r[0], r[1], r[2]): r[3] for r in revisions if r[3] is not None})
    by_series: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    for (code, region, period), value in final.items():
        by_series[(code, region)][period] = value

    ytd_breaks, falls = [], []
    for (code, region), series in by_series.items():
        ind = indicators[code]
        ordered = sorted(series, key=_ordinal)
        for a, b in zip(ordered, ordered[1:], strict=False):
            if ind.measure == "flow" and ind.frequency == "quarterly" and a[:4] == b[:4]:
                if series[b] <= series[a]:
                    ytd_breaks.append((code, region, b))
            if ind.measure == "stock" and series[b] < series[a]:
                falls.append((code, region, b, series[a], series[b]))
    out.append(
        f"flows: year-to-date values rise within every year: {'yes' if not ytd_breaks else ytd_breaks}"
    )
    out.append(f"stocks: {len(falls)} falls (deliberate: {len(DIPS)})")
    for fall in falls:
        out.append(f"    {fall[0]} {fall[1]} {fall[2]}: {fall[3]:,.0f} → {fall[4]:,.0f}")
    if ytd_breaks or len(falls) != len(DIPS):
        fail("flows or stocks do not behave as intended")

    gaps = []
    for ind in indicators.values():
        if ind.aggregation != "sum" or "city" not in ind.levels:
            continue
        for period in periods_of(ind):
            province = final[(ind.code, PROVINCE, period)]
            city_sum = sum(final.get((ind.code, c, period), 0.0) for c in CITIES)
            gaps.append((abs(province - city_sum) / province if province else 0.0, ind.code, period))
    gaps.sort(reverse=True)
    over = [g for g in gaps if g[0] > 0.01]
    out.append(
        f"province vs city sum: {len(over)} over 1 %: "
        + ", ".join(f"{c} {p} {g:.2%}" for g, c, p in over)
        + f"; largest other gap {next((g for g, *_ in gaps if g <= 0.01), 0):.2%}"
    )
    if len(over) != 1:
        fail("exactly one indicator-period should be off by more than 1 %")
    zone_over = [
        (code, p)
        for (code, region), series in by_series.items()
        if region == ZONE
        for p, v in series.items()
        if v > final[(code, TAIYUAN, p)] + final[(code, JINZHONG, p)]
    ]
    out.append(f"zone within 太原 + 晋中: {'yes' if not zone_over else zone_over}")

    warnings = Counter()
    for (code, _region), series in by_series.items():
        ind = indicators[code]
        for period, value in series.items():
            comparisons = [p for p in (_shift(period, -1), _shift(period, -4 if "Q" in period else -1)) if p]
            if ind.measure == "flow":  # year-to-date: only the same period last year compares
                comparisons = [_shift(period, -4) if "Q" in period else _shift(period, -1)]
            for other in set(comparisons):
                prev = series.get(other or "")
                if prev and abs(value / prev - 1) > ind.change_warning:
                    warnings[code] += 1
                    break
    out.append(
        "change warnings to expect (vs previous period or same period last year, per indicator): "
        + ", ".join(f"{c} {n}" for c, n in warnings.most_common())
    )

    for (code, period), value in PUBLISHED.items():
        got = final[(code, PROVINCE, period)]
        if abs(got - value) > 1e-6 * max(1.0, value):
            fail(f"published anchor {code} {period}: {got} != {value}")
    de = {y: final[("digital_economy_scale", PROVINCE, str(y))] for y in DIGITAL_ECONOMY}
    out.append(
        "数字经济规模 share of GDP: "
        + ", ".join(f"{y} {de[y]:,.0f} ({de[y] / GDP[y]:.1%})" for y in GDP)
        + "; growth: "
        + ", ".join(f"{y} {de[y] / de[y - 1] - 1:+.1%}" for y in list(DIGITAL_ECONOMY)[1:])
    )
    centre = ["140100", "140700", "140900", "140300"]
    centre_sum = sum(final[("base_stations_5g", c, "2023Q4")] for c in centre)
    lvliang = final[("base_stations_5g", "141100", "2023Q4")]
    out.append(
        f"5G end 2023, 太原+晋中+忻州+阳泉 {centre_sum:,.0f} "
        f"(+ half of 吕梁 {centre_sum + lvliang / 2:,.0f}) of 93,420; published: 46,000 of 93,000"
    )

    for as_of, intended in ((EARLIER_AS_OF, INTENDED_EARLIER), (AS_OF, INTENDED_LATEST)):
        out.append(f"target statuses as of {as_of}:")
        counts: Counter[str] = Counter()
        for target in targets:
            ind = indicators[target["indicator"]]
            series = by_series[(ind.code, PROVINCE)]
            status, detail = _status(target, series, ind, thresholds, as_of)
            counts[status] += 1
            label = f"{ind.code}:{target['year']}"
            late = _reached_after_deadline(target, series, as_of)
            out.append(
                f"  {ind.code}@{target['region']}:{target['year']} {target['comparator']}{target['value']}: "
                f"{status}  [{detail}]" + (f"  reached later, in {late}" if late else "")
            )
            if status.split()[0] != intended.get(label):
                fail(f"{label} as of {as_of} is {status}, intended {intended.get(label)}")
        out.append("  counts: " + ", ".join(f"{n} {s}" for s, n in counts.most_common()))
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    out.append(f"folder size: {size / 1024:.0f} KiB")
    sys.stdout.write("\n".join(out) + "\n")
    return ok


# The statuses data/sample/README.md promises, by `indicator:year`; the check fails if one differs.
INTENDED_EARLIER = {
    "digital_economy_scale:2022": "missed",
    "digital_economy_scale:2025": "behind",
    "base_stations_5g:2022": "achieved",
    "smart_factories:2022": "achieved",
    "digital_workshops:2022": "missed",
    "data_annotation_firms:2022": "achieved",
    "intl_influential_firms:2022": "achieved",
    "intl_influential_firms:2025": "severely_behind",
    "dc_power_price:2025": "behind",
}
INTENDED_LATEST = INTENDED_EARLIER | {  # the plan's final evaluation: every deadline has passed
    "digital_economy_scale:2025": "missed",
    "intl_influential_firms:2025": "achieved",
    "dc_power_price:2025": "missed",
}


def _reached_after_deadline(target: dict, series: dict[str, float], as_of: str) -> str | None:
    """The first period after the deadline, up to as-of, whose value meets a target missed at it."""
    deadline = target["year"] * 12 + 12
    t = float(target["value"])
    compare = {">=": t.__le__, ">": t.__lt__, "<=": t.__ge__, "<": t.__gt__}[target["comparator"]]
    on_time = [p for p in series if _ordinal(p) <= deadline]
    if not on_time or compare(series[max(on_time, key=_ordinal)]):
        return None
    later = sorted((p for p in series if deadline < _ordinal(p) <= _ordinal(as_of)), key=_ordinal)
    return next((p for p in later if compare(series[p])), None)


def _shift(period: str, steps: int) -> str | None:
    if "Q" not in period:
        return str(int(period) + steps)
    n = int(period[:4]) * 4 + int(period[-1]) - 1 + steps
    return f"{n // 4}Q{n % 4 + 1}"
