"""Explanations: every status says which inputs it saw and which rule fired, in Chinese and English.

A leader who sees a red badge asks "why?"; the answer is the numbers (B, C, T, E, e, ρ, R), the
thresholds from the plan and the first rule that matched, e.g.
"完成率 84.2%，序时进度 90.0%，慢于序时进度 5.8 个百分点；进度比 0.70 ≤ ρ=0.78 < 0.90 → 滞后".

All numbers are computed on arrays before this module runs; rendering text is the one step that
touches each row in Python (str.format over zipped columns, ~0.1 s for 50,000 targets), because
that is faster than numpy's or Arrow's element-wise string functions for sentences of 30 parts.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators.model import Thresholds

DASH = "—"
"""Shown where a number cannot be computed."""

_LANGS = (0, 1)  # 0 Chinese, 1 English
_HEAD = (
    "基期 {bp} B={b}，当前 {cp} C={c}，目标 {year}年 {cmp} {T}；时间进度 e={e}，序时值 E={E}（{traj}）；"
    "{basis}完成率 {comp}，序时进度 {ecomp}，{gap}；{rule}；趋势 {trend}",
    "baseline {bp} B={b}, current {cp} C={c}, target {year} {cmp} {T}; elapsed e={e}, expected E={E} "
    "({traj}); {basis}completion {comp}, expected {ecomp}, {gap}; {rule}; trend {trend}",
)
_NO_DATA = ("截至 {as_of} 无已发布数据 → 无数据", "no value published up to {as_of} → no data")
_RULES = {
    "achieved": ("C {cmp} T，已达到目标 → 已完成", "C {cmp} T: target met → achieved"),
    "missed": (
        "期末（{dp}）数据未达到目标 → 未完成",
        "the value for the deadline period {dp} does not meet the target → missed",
    ),
    "ahead": ("进度比 ρ={rho} ≥ 1 → 超前", "progress ratio ρ={rho} ≥ 1 → ahead"),
    "awaiting_final": (
        "已过期限，{year}年末（{dp}）数据尚未发布 → 待期末数据；暂按最新数据 {prov}",
        "deadline passed, the value for {dp} is not published yet → awaiting final data; "
        "provisionally, on the latest data: {prov}",
    ),
    "baseline_met_lost": (
        "基期已达到目标，当前值退回未达标 → 滞后",
        "the baseline already met the target and the current value no longer does → behind",
    ),
    "no_baseline": (
        "基期 {bpp} 及其后至 {cp} 无数据，无法衡量进展 → 无数据",
        "no value for the baseline period {bpp} or after it up to {cp}: "
        "progress cannot be measured → no data",
    ),
    "due_none_flat": (
        "尚无应完成的进度（E=B），当前值与基期持平 → 正常",
        "nothing due yet (E = B) and no change from the baseline → on track",
    ),
    "due_none_worse": (
        "尚无应完成的进度（E=B），但当前值较基期倒退 → 滞后",
        "nothing due yet (E = B) but worse than the baseline → behind",
    ),
    "due_none_gain": (
        "尚无应完成的进度（E=B），当前值已较基期改善 → 超前",
        "nothing due yet (E = B) and already better than the baseline → ahead",
    ),
    "on_track": ("进度比 {on} ≤ ρ={rho} < 1 → 正常", "progress ratio {on} ≤ ρ={rho} < 1 → on track"),
    "behind": (
        "进度比 {behind} ≤ ρ={rho} < {on} → 滞后",
        "progress ratio {behind} ≤ ρ={rho} < {on} → behind",
    ),
    "severely_behind": (
        "进度比 ρ={rho} < {behind} → 严重滞后",
        "progress ratio ρ={rho} < {behind} → severely behind",
    ),
}
_TRENDS = {
    "achieved": ("→ 已达标", "→ target achieved"),
    "substantial": ("R={r} ≥ {sub} → 进展显著", "R={r} ≥ {sub} → substantial progress"),
    "moderate": ("{mod} ≤ R={r} < {sub} → 有进展但需加快", "{mod} ≤ R={r} < {sub} → moderate progress"),
    "limited": ("{lim} ≤ R={r} < {mod} → 进展有限", "{lim} ≤ R={r} < {mod} → limited progress"),
    "deterioration": ("R={r} < {lim} → 趋势恶化", "R={r} < {lim} → deterioration"),
    None: ("数据不足（基期后至少需一个全期值）", "not enough data (needs a full period after the baseline)"),
}
_LINEAR_TREND = (
    "（按年均变化量，基期为零、接近零或为负）",
    " (change per year: zero, near-zero or negative values)",
)
_VERDICTS = {
    "missed": ("差{margin_abs}未完成", "missed by {margin_abs}"),
    "achieved": (
        "{met_year}年达到，超出目标 {margin_abs}",
        "reached in {met_year}, {margin_abs} beyond the target",
    ),
}
_SUBSTITUTED = (
    "基期 {bpp} 无数据，以其后首个数据 {bp} 为基期，B={b}",
    "no value for the baseline period {bpp}: the first value after it, {bp}, is the baseline, B={b}",
)
_TRAJECTORY = {
    "linear": ("线性", "linear"),
    "geometric": ("几何", "geometric"),
    "seasonal": ("季节", "seasonal"),
}
_BASIS = {
    "ytd": (
        "按年内累计值与年度目标比较，年初基期值 0；",
        "year-to-date value against the annual target, B = 0; ",
    ),
    "annual": ("按全年值比较；", "compared on full-year values; "),
    "level": ("", ""),
}


def number(values: Iterable[float], decimals: int = 4) -> list[str]:
    """Numbers without trailing zeros (5000, 0.285); a dash where missing."""
    return [DASH if x != x else f"{x:.{decimals}f}".rstrip("0").rstrip(".") for x in values]


def percent(values: Iterable[float]) -> list[str]:
    """Shares as percentages with one decimal (0.842 → 84.2%)."""
    return [DASH if x != x else f"{x * 100:.1f}%" for x in values]


def fixed(values: Iterable[float], decimals: int = 2) -> list[str]:
    """Numbers with a fixed number of decimals (ρ, R); a dash where missing."""
    return [DASH if x != x else f"{x:.{decimals}f}" for x in values]


def _column(t: pd.DataFrame, name: str) -> list[object]:
    return t[name].astype(object).tolist() if name in t else [None] * len(t)


def _floats_or_nan(t: pd.DataFrame, name: str) -> list[float]:
    return _floats(t, name) if name in t else [float("nan")] * len(t)


def _floats(t: pd.DataFrame, name: str) -> list[float]:
    return list(t[name].to_numpy(dtype=float).tolist())


NO_AS_OF = "—"
"""Shown as the as-of period when nothing at all was published (yet, or by the vintage asked for)."""


def explain_progress(frame: pd.DataFrame, *, thresholds: Thresholds) -> pd.DataFrame:
    """A copy of a `compute_progress` frame with `explanation_zh` / `explanation_en` filled in.

    For callers that computed a large frame with `explain=False` and show only some of its rows:
    explain those rows alone. The one place explanations are filled, for the engine and the service.
    """
    out = frame.copy()
    if out.empty:
        return out
    as_of = out["as_of"].iloc[0]
    out["explanation_zh"], out["explanation_en"] = explain(
        out, thresholds=thresholds, as_of=as_of if isinstance(as_of, str) else NO_AS_OF
    )
    return out


def explain(t: pd.DataFrame, *, thresholds: Thresholds, as_of: str) -> tuple[list[str], list[str]]:
    """The Chinese and English explanation of every row of a progress frame.

    Rows are grouped by the sentence they need (status × trend × basis × trajectory, a few dozen
    shapes); each shape becomes one positional format string, filled row by row.
    """
    gap = _floats(t, "schedule_gap_pp")
    gap_abs = fixed((abs(g) for g in gap), 1)
    columns = {
        "bp": t["baseline_period"].astype(object).tolist(),
        "b": number(_floats(t, "baseline")),
        "cp": t["current_period"].astype(object).tolist(),
        "c": number(_floats(t, "current")),
        "year": [str(y) for y in t["year"].tolist()],
        "cmp": t["comparator"].astype(object).tolist(),
        "T": number(_floats(t, "target")),
        "e": percent(_floats(t, "elapsed")),
        "E": number(_floats(t, "expected")),
        "comp": percent(_floats(t, "completion")),
        "ecomp": percent(_floats(t, "expected_completion")),
        "rho": fixed(_floats(t, "progress_ratio")),
        "r": fixed(_floats(t, "trend_ratio")),
        "gap_abs": gap_abs,
        "bpp": _column(t, "baseline_period_planned"),
        "dp": _column(t, "deadline_period"),
        "margin_abs": percent(abs(m) for m in _floats_or_nan(t, "margin")),
        "met_year": [p[:4] if isinstance(p, str) else DASH for p in _column(t, "first_met_period")],
    }
    constants = {
        "on": f"{thresholds.on_track:.2f}",
        "behind": f"{thresholds.behind:.2f}",
        "sub": f"{thresholds.trend_substantial:.2f}",
        "mod": f"{thresholds.trend_moderate:.2f}",
        "lim": f"{thresholds.trend_limited:.2f}",
        "as_of": as_of,
    }
    names = list(columns)
    arrays = [np.array(columns[n], dtype=object) for n in names]
    positional = {n: "{" + str(i) + "}" for i, n in enumerate(names)}  # turns a named template positional
    trend = t["trend"].astype(object).where(t["trend"].notna(), None)
    gap_sign = np.sign(np.nan_to_num(np.round(np.asarray(gap, dtype=float), 1), nan=np.inf))
    final = t["final"].to_numpy(dtype=bool) if "final" in t else np.zeros(len(t), dtype=bool)
    verdict = np.where(final, t["status"].astype(object).to_numpy(), "")
    shape = pd.DataFrame(
        {
            "status": (t["rule"] if "rule" in t else t["status"]).astype(object).to_numpy(),
            "trend": trend.to_numpy(),
            "basis": t["basis"].astype(object).to_numpy(),
            "trajectory": t["trajectory"].astype(object).to_numpy(),
            "gap": gap_sign,
            "provisional": np.array(_column(t, "provisional_rule"), dtype=object),
            "substituted": np.array(_column(t, "baseline_rule"), dtype=object) == "first_after",
            "verdict": verdict,
            "linear": np.array(_column(t, "trend_method"), dtype=object) == "linear",
        }
    )
    shape["provisional"] = np.where(shape["status"] == "awaiting_final", shape["provisional"], "")
    codes, shapes = pd.factorize(pd.MultiIndex.from_frame(shape.fillna({"trend": "_none"})))
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(shapes) + 1))
    out: list[np.ndarray] = []
    for lang in _LANGS:
        texts = np.empty(len(t), dtype=object)
        for k, (status, trend_code, basis, trajectory, sign, prov, subst, verdict, linear) in enumerate(
            shapes
        ):
            rows = order[bounds[k] : bounds[k + 1]]
            template = _template(
                _Shape(status, None if trend_code == "_none" else trend_code, basis, trajectory, sign),
                lang,
                provisional=str(prov),
                substituted=bool(subst),
                verdict=str(verdict),
                linear=bool(linear),
            )
            template = (
                template.format(**positional, **constants)
                if status != "no_data"
                else template.format(**constants)
            )
            texts[rows] = [template.format(*row) for row in zip(*(a[rows] for a in arrays), strict=True)]
        out.append(texts)
    return list(out[0]), list(out[1])


@dataclass(frozen=True, slots=True)
class _Shape:
    status: str
    trend: str | None
    basis: str
    trajectory: str
    sign: float


def _template(
    shape: _Shape, lang: int, *, provisional: str, substituted: bool, verdict: str, linear: bool
) -> str:
    """The named template of one sentence shape; braces left for the row's fields.

    Past the deadline a final verdict (达到 in which year / 差 how much) takes the trend's place;
    an awaiting target names the rule its latest data would fire.
    """
    if shape.status == "no_data":
        return _NO_DATA[lang]
    rule = _RULES[shape.status][lang]
    if shape.status == "awaiting_final":
        rule = rule.replace("{prov}", _RULES[provisional][lang])
    tail = _TRENDS[shape.trend][lang] + (_LINEAR_TREND[lang] if linear and shape.trend else "")
    head = _HEAD[lang].replace("{rule}", rule)
    if verdict in _VERDICTS:
        head = head.replace(("趋势 {trend}", "trend {trend}")[lang], _VERDICTS[verdict][lang])
    head = head.replace("{trend}", tail)
    if substituted:
        head = head.replace(("基期 {bp} B={b}", "baseline {bp} B={b}")[lang], _SUBSTITUTED[lang])
    return (
        head.replace("{traj}", _TRAJECTORY[shape.trajectory][lang])
        .replace("{basis}", _BASIS[shape.basis][lang])
        .replace("{gap}", _gap(shape.sign, lang))
    )


def _gap(sign: float, lang: int) -> str:
    """The 快于/慢于序时进度 phrase for the sign of the (rounded) gap; inf where it is unknown."""
    if np.isinf(sign):
        return ("序时差无法计算", "schedule gap not computable")[lang]
    if sign > 0:
        return ("快于序时进度 {gap_abs} 个百分点", "{gap_abs} pp ahead of schedule")[lang]
    if sign < 0:
        return ("慢于序时进度 {gap_abs} 个百分点", "{gap_abs} pp behind schedule")[lang]
    return ("与序时进度持平", "on schedule")[lang]
