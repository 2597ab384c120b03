"""Figure builders: DataFrame in, Figure out; checked on hand-made frames with hand-computed numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from app.services import series as series_service
from dashboard import city_figures, figures
from dashboard.cards import projection_text
from dashboard.status import STATUS_ORDER, STATUS_STYLES
from dashboard.tilemap import SHANXI_TILES, tile_positions
from indicators.progress import STATUS_LABELS


def target_row(**changes: object) -> dict[str, object]:
    row: dict[str, object] = {
        "target_id": "x@140000:2022", "indicator": "x", "year": 2022, "comparator": ">=", "target": 100.0,
        "baseline": 36.0, "baseline_period": "2020Q4", "trajectory": "linear", "current": 80.0,
        "current_period": "2022Q2", "projected": 104.0, "status": "behind",
    }  # fmt: skip
    row.update(changes)
    return row


@pytest.mark.parametrize(
    ("ordinal", "expected"),
    [(2025 * 12 + 9, "2025-09-30"), (2024 * 12 + 12, "2024-12-31"), (2024 * 12 + 2, "2024-02-29")],
)
def test_ordinal_date_is_the_end_of_the_period(ordinal: int, expected: str) -> None:
    assert figures.ordinal_date(ordinal) == expected


def paths(rows: pd.DataFrame) -> pd.DataFrame:
    return series_service.expected_paths(rows)


def test_the_path_drawn_is_the_engines_expected_path() -> None:
    """2020Q4 → 2022Q4, B = 36, T = 100, linear: +8 a quarter, drawn at each quarter's end."""
    rows = pd.DataFrame([target_row()])
    figure = figures.trajectory_figure(
        pd.DataFrame(columns=["ordinal", "period", "value"]), rows, paths(rows), unit="个", lang="zh"
    )
    path = figure.data[0]
    assert path.name == "序时路径"
    assert [round(v, 6) for v in path.y] == [36.0, 44.0, 52.0, 60.0, 68.0, 76.0, 84.0, 92.0, 100.0]
    assert (path.x[0], path.x[-1]) == ("2020-12-31", "2022-12-31")


def test_trajectory_has_actual_path_target_and_projection() -> None:
    actual = pd.DataFrame(
        {"ordinal": [2020 * 12 + 12, 2022 * 12 + 6], "period": ["2020Q4", "2022Q2"], "value": [36.0, 80.0]}
    )
    rows = pd.DataFrame([target_row()])
    figure = figures.trajectory_figure(actual, rows, paths(rows), unit="个", lang="zh", as_of="2022Q2")
    names = [trace.name for trace in figure.data]
    assert names == ["实际值", "序时路径", "目标", "预测"]
    target = figure.data[2]
    assert (list(target.x), list(target.y)) == (["2022-12-31"], [100.0])
    projection = figure.data[3]
    assert list(projection.x) == ["2022-06-30", "2022-12-31"] and list(projection.y) == [80.0, 104.0]
    assert figure.layout.font.family.startswith("Noto Sans CJK SC")
    assert list(figure.layout.xaxis.ticktext) == ["2020", "2021", "2022"]


@pytest.mark.parametrize("status", ["achieved", "missed"])
def test_settled_targets_have_no_projection(status: str) -> None:
    rows = pd.DataFrame([target_row(status=status)])
    figure = figures.trajectory_figure(
        pd.DataFrame(columns=["ordinal", "period", "value"]), rows, paths(rows), unit="个", lang="en"
    )
    assert [trace.name for trace in figure.data] == ["Expected path", "Target"]


def test_each_legend_entry_once_across_two_targets() -> None:
    rows = pd.DataFrame(
        [target_row(status="achieved"), target_row(year=2025, target=200.0, target_id="x@140000:2025")]
    )
    figure = figures.trajectory_figure(
        pd.DataFrame(columns=["ordinal", "period", "value"]), rows, paths(rows), unit="个", lang="zh"
    )
    shown = [trace.name for trace in figure.data if trace.showlegend is not False]
    assert shown == ["序时路径", "目标", "预测"]


CITIES = pd.DataFrame(
    {
        "region": ["140100", "140200", "140300"],
        "name": ["太原", "大同", "阳泉"],
        "value": [30500.0, 9402.0, None],
        "share": [0.7644, 0.2356, None],
        "rank": [1, 2, None],
    }
)


def test_tile_map_draws_a_tile_per_city_and_carries_the_codes() -> None:
    figure = city_figures.tile_map_figure(
        CITIES, tile_positions(list(CITIES["region"])), unit="个", lang="zh"
    )
    assert len(figure.layout.shapes) == 3
    points = figure.data[0]
    assert [c[0] for c in points.customdata] == ["140100", "140200", "140300"]
    assert points.text[0] == "<b>太原</b><br>30,500 个"
    assert points.text[2] == "<b>阳泉</b><br>—"
    assert figure.layout.shapes[2].fillcolor == "#e9ecef"  # no value: grey
    # Taiyuan sits below Datong: rows grow southwards, drawn downwards
    assert points.y[0] < points.y[1]


def test_tile_positions_follow_the_province_and_never_drop_a_region() -> None:
    assert set(SHANXI_TILES) == {f"14{n:02d}00" for n in range(1, 12)}
    placed = tile_positions(["140200", "999999", "888888"])
    assert placed["140200"] == SHANXI_TILES["140200"]
    assert placed["999999"] == (0.0, 1.0) and placed["888888"] == (1.0, 1.0)


def test_ranking_puts_the_best_city_on_top() -> None:
    figure = city_figures.ranking_figure(CITIES, unit="个", lang="zh")
    bars = figure.data[0]
    assert list(bars.y) == ["大同", "太原"]  # plotly draws the last bar on top
    assert list(bars.text) == ["9,402 个", "30,500 个"]


def test_completeness_codes_each_cell() -> None:
    frame = pd.DataFrame(
        {
            "indicator_name": ["5G基站数", "5G基站数", "智能工厂"],
            "region_name": ["山西", "太原", "山西"],
            "status": ["received", "late", "missing"],
        }
    )
    figure = figures.completeness_figure(frame, lang="zh")
    heat = figure.data[0]
    assert list(heat.x) == ["5G基站数", "智能工厂"] and list(heat.y) == ["山西", "太原"]
    assert heat.z.tolist() == [[1.0, 2.0], [3.0, 0.0]]  # 太原 × 智能工厂 is not expected
    assert heat.customdata[1][1] == "不需报送"


def test_every_status_has_a_style_and_a_label() -> None:
    assert set(STATUS_ORDER) == set(STATUS_STYLES) == set(STATUS_LABELS)


@pytest.mark.parametrize(
    ("name", "unit", "lang", "expected"),
    [
        ("5G基站数", "个", "zh", "5G基站数（个）"),
        ("Digital-economy enterprises with international influence", "家", "en",
         "Digital-economy enterprises with internatio… (家)"),
        ("全省走势", None, "zh", "全省走势"),
    ],
)  # fmt: skip
def test_chart_titles_carry_the_unit_and_fit(name: str, unit: str | None, lang: str, expected: str) -> None:
    assert figures.titled(name, unit, "en" if lang == "en" else "zh") == expected


def _luminance(color: str) -> float:
    channels = [int(color.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


@pytest.mark.parametrize("status", STATUS_ORDER)
def test_badge_text_is_readable_on_its_colour(status: str) -> None:
    """WCAG AA: at least 4.5:1 between a badge's text and its fill."""
    style = STATUS_STYLES[status]
    light, dark = sorted((_luminance(style.fill), _luminance(style.text)), reverse=True)
    assert (light + 0.05) / (dark + 0.05) >= 4.5


@pytest.mark.parametrize(
    ("target", "current", "projected", "unit", "expected"),
    [
        (100.0, 69.0, 94.34, "个", "约 94 个"),
        (1.0, 0.0, 0.001, "家", "约 0 家"),
        (0.3, 0.33, 0.32625, "元/千瓦时", "约 0.326 元/千瓦时"),
    ],
)
def test_projection_is_as_precise_as_its_inputs(
    target: float, current: float, projected: float, unit: str, expected: str
) -> None:
    row = {
        "target": target,
        "current": current,
        "projected": projected,
        "unit": unit,
        "year": 2025,
        "status": "behind",
    }
    assert expected in (projection_text(row, "zh") or "")
