"""The plan as the sample reads it (straight from the TOML, not through `indicators`), and every value:
province paths apportioned to the cities by weight, zones as shares of their parent city.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from sample_data.figures import (
    ANNUAL_STOCKS,
    CITIES,
    CITY_GDP_2022,
    CITY_SUM_GAP,
    DIGITAL_ECONOMY,
    DIPS,
    FLATTEN,
    FLOW_ANNUAL,
    INTL_FIRMS,
    JINZHONG,
    NC_RATE,
    NC_RATE_CITY_OFFSET,
    PLAN_PATH,
    PROVINCE,
    PROVINCE_QUARTERLY,
    QUARTERS,
    STOCK_PATHS,
    STOCK_UNIT_STEP,
    TAIYUAN,
    TILTS,
    YEARS,
    YTD_SHARES,
    YTD_SHARES_TELECOM,
    ZONE,
    ZONE_SHARE,
    Key,
    _rng,
)


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    aliases: tuple[str, ...]
    unit: str
    frequency: str
    measure: str
    aggregation: str
    levels: tuple[str, ...]
    change_warning: float


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    short_name: str
    level: str
    aliases: tuple[str, ...]


def load_catalog() -> tuple[dict[str, Indicator], dict[str, Region], list[dict]]:
    plan = tomllib.loads(PLAN_PATH.read_text(encoding="utf-8"))
    indicators = {
        i["code"]: Indicator(
            i["code"],
            i["name"],
            tuple(i.get("aliases", ())),
            i["unit"],
            i["frequency"],
            i["measure"],
            i["aggregation"],
            tuple(i["levels"]),
            float(i["change_warning"]),
        )
        for i in plan["indicators"]
    }
    regions = {
        r["code"]: Region(r["code"], r["name"], r["short_name"], r["level"], tuple(r.get("aliases", ())))
        for r in plan["regions"]
    }
    targets = [t for t in plan["targets"] if "indicator" in t]
    return indicators, regions, targets


def allowed_regions(ind: Indicator) -> list[str]:
    codes = [PROVINCE] if "province" in ind.levels else []
    codes += CITIES if "city" in ind.levels else []
    codes += [ZONE] if "zone" in ind.levels else []
    return codes


def periods_of(ind: Indicator) -> list[str]:
    return YEARS if ind.frequency == "annual" else QUARTERS


# ---------------------------------------------------------------- apportioning
def _weights(code: str) -> np.ndarray:
    gdp = np.array([CITY_GDP_2022[c] for c in CITIES])
    share = (gdp / gdp.sum()) ** FLATTEN.get(code, 1.0)
    tilt = np.array([TILTS.get(code, {}).get(c, 1.0) for c in CITIES])
    noise = _rng("weights", code).lognormal(0.0, 0.08, size=len(CITIES))
    w = share * tilt * noise
    return w / w.sum()


def _largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    raw = total * weights / weights.sum()
    base = np.floor(raw).astype(np.int64)
    order = np.argsort(-(raw - base), kind="stable")
    base[order[: total - int(base.sum())]] += 1
    return base


def _allocate_stock(path: Sequence[int], weights: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Split each period's increase across cities: cities never fall and always add up to the path."""
    out = np.zeros((len(path), len(weights)), dtype=np.int64)
    level = np.zeros(len(weights), dtype=np.int64)
    previous = 0
    for t, total in enumerate(path):
        delta = int(total) - previous
        if delta < 0:
            raise ValueError(f"stock path falls at step {t}")
        w = weights * rng.lognormal(0.0, 0.15, size=len(weights))
        w = w / w.sum()
        if delta >= 60 or t == 0:  # the opening level goes where the weight is (太原 gets the first node)
            level = level + _largest_remainder(delta, w if t else weights)
        elif delta > 0:
            level = level + rng.multinomial(delta, w)
        out[t] = level
        previous = int(total)
    return out


def _zone_levels(parent: np.ndarray, share: float, rng: np.random.Generator) -> np.ndarray:
    """The zone's level: a binomial share of each increase of 太原 + 晋中, so it stays inside them."""
    zone, previous, out = 0, 0, []
    for level in parent:
        zone += int(rng.binomial(max(int(level) - previous, 0), share))
        previous = int(level)
        out.append(zone)
    return np.array(out)


def _ytd_shares(code: str, year: int) -> tuple[float, float, float, float]:
    table = YTD_SHARES_TELECOM if code == "telecom_revenue" else YTD_SHARES
    base = table.get(year, table["default"])
    jitter = _rng("ytd", code, year).uniform(-0.005, 0.005, size=3)
    q1, q2, q3 = sorted(b + j for b, j in zip(base, jitter, strict=True))
    return (q1, q2, q3, 1.0)


def build_values(indicators: dict[str, Indicator]) -> dict[Key, float]:
    """Every value in catalog units, before the files are written."""
    values: dict[Key, float] = {}

    def put(code: str, region: str, period: str, value: float) -> None:
        values[(code, region, period)] = value

    for code, path in STOCK_PATHS.items():
        step = STOCK_UNIT_STEP.get(code, 1)
        units = [int(round(v / step)) for v in path]
        cities = _allocate_stock(units, _weights(code), _rng("stock", code))
        for ind_code, city, quarter, fall in DIPS:
            if ind_code != code:
                continue
            t, j = QUARTERS.index(quarter), CITIES.index(city)
            lower = int(cities[t - 1, j] * (1 - fall))
            cities[t, CITIES.index(TAIYUAN)] += cities[t, j] - lower
            cities[t, j] = lower
        for t, quarter in enumerate(QUARTERS):
            put(code, PROVINCE, quarter, float(cities[t].sum() * step))
            for j, city in enumerate(CITIES):
                put(code, city, quarter, float(cities[t, j] * step))
        if "zone" in indicators[code].levels:
            parent = cities[:, CITIES.index(TAIYUAN)] + cities[:, CITIES.index(JINZHONG)]
            for t, level in enumerate(_zone_levels(parent, ZONE_SHARE[code], _rng("zone", code))):
                put(code, ZONE, QUARTERS[t], float(level * step))

    for code, series in PROVINCE_QUARTERLY.items():
        for quarter, value in zip(QUARTERS, series, strict=True):
            put(code, PROVINCE, quarter, value)

    for code, annual in FLOW_ANNUAL.items():
        _build_flow(code, annual, put)
    _build_flow("digital_economy_scale", DIGITAL_ECONOMY, put, annual_only=True)

    rng = _rng("nc_rate")
    for year, rate in NC_RATE.items():
        put("nc_rate_key_processes", PROVINCE, str(year), rate)
        for city in CITIES:
            city_rate = rate + NC_RATE_CITY_OFFSET[city] + rng.normal(0.0, 0.5)
            put("nc_rate_key_processes", city, str(year), round(city_rate, 1))

    for code, path in ANNUAL_STOCKS.items():
        cities = _allocate_stock(path, _weights(code), _rng("stock", code))
        parent = cities[:, CITIES.index(TAIYUAN)] + cities[:, CITIES.index(JINZHONG)]
        zone = _zone_levels(parent, ZONE_SHARE[code], _rng("zone", code))
        for t, year in enumerate(YEARS):
            put(code, PROVINCE, year, float(cities[t].sum()))
            for j, city in enumerate(CITIES):
                put(code, city, year, float(cities[t, j]))
            put(code, ZONE, year, float(zone[t]))
    for year, count in zip(YEARS, INTL_FIRMS, strict=True):
        put("intl_influential_firms", PROVINCE, year, float(count))

    flow_code, quarter, factor = CITY_SUM_GAP
    city_sum = sum(values[(flow_code, c, quarter)] for c in CITIES)
    put(flow_code, PROVINCE, quarter, round(city_sum * factor, 2))
    return values


def _build_flow(
    code: str,
    annual: dict[int, float],
    put: Callable[[str, str, str, float], None],
    *,
    annual_only: bool = False,
) -> None:
    """Year-to-date flows: cities get a yearly share with noise; the province row differs by < 0.3 %."""
    weights, rng = _weights(code), _rng("flow", code)
    for year, total in annual.items():
        share = weights * rng.lognormal(0.0, 0.04, size=len(CITIES))
        share = share / share.sum()
        fractions = (1.0,) if annual_only else _ytd_shares(code, year)
        previous = np.zeros(len(CITIES))
        for q, fraction in enumerate(fractions, start=1):
            period = str(year) if annual_only else f"{year}Q{q}"
            if not annual_only and period not in QUARTERS:
                break
            province = round(total * fraction, 2)
            city = share * (1 + rng.normal(0.0, 0.012, size=len(CITIES)))
            city = np.round(city / city.sum() * province * (1 - rng.uniform(-0.003, 0.003)), 2)
            if (city <= previous).any():
                raise ValueError(f"{code} {period}: a city's year-to-date value fell")
            previous = city
            put(code, PROVINCE, period, province)
            for c, value in zip(CITIES, city, strict=True):
                put(code, c, period, float(value))
