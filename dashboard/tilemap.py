"""Where each city's tile sits on the schematic map: roughly its place in the province, no borders.

Boundaries would need a licensed geometry and, published in China, map approval (审图号); tiles say
"where" well enough for eleven cities (see the maps section of the tech notes). Positions are
(column, row), row 0 at the top (north). A region without a position (another plan) is placed on a
plain grid after the known ones, so the map never drops a city.
"""

from __future__ import annotations

from collections.abc import Sequence

TilePosition = tuple[float, float]

SHANXI_TILES: dict[str, TilePosition] = {
    "140200": (2.0, 0.0),  # 大同
    "140600": (1.0, 1.0),  # 朔州
    "140900": (2.0, 1.0),  # 忻州
    "141100": (0.0, 2.0),  # 吕梁
    "140100": (1.0, 2.0),  # 太原
    "140300": (2.0, 2.0),  # 阳泉
    "140700": (1.5, 3.0),  # 晋中
    "141000": (0.5, 4.0),  # 临汾
    "140400": (2.0, 4.0),  # 长治
    "140800": (0.5, 5.0),  # 运城
    "140500": (2.0, 5.0),  # 晋城
}
"""Shanxi's eleven cities, north to south: 大同; 朔州 忻州; 吕梁 太原 阳泉; 晋中; 临汾 长治; 运城 晋城."""

GRID_COLUMNS = 4


def tile_positions(regions: Sequence[str]) -> dict[str, TilePosition]:
    """A position for every region: the known layout, then a grid below it for the rest."""
    known = {code: SHANXI_TILES[code] for code in regions if code in SHANXI_TILES}
    first_free_row = max((row for _, row in known.values()), default=-1.0) + 1
    others = [code for code in regions if code not in known]
    placed = {
        code: (float(i % GRID_COLUMNS), first_free_row + i // GRID_COLUMNS) for i, code in enumerate(others)
    }
    return known | placed
