"""How much of a file the readers will take on, checked before anything is allocated for it.

A 1.6 KB workbook with one cell at XFD1048576 asks for a 16,384 × 1,048,576 grid; a 4 MB zip can
expand to gigabytes; a 1 MB CSV can hold 100,000 columns. Each limit is checked on what the file
declares or on a streaming scan of it, so the refusal costs no more than the scan. The service
builds `ReadLimits` from its settings (`DEM_UPLOAD_MAX_*`, docs/configuration.md); etl only
receives them, it reads no configuration.
"""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1 << 20

#: Rows of a sheet or CSV (Excel itself stops at 1,048,576; a national long CSV has a few million).
DEFAULT_MAX_ROWS = 5_000_000
#: Columns of a sheet or CSV: wide workbooks have an indicator or a period a column, never thousands.
DEFAULT_MAX_COLUMNS = 1_000
#: Cells of the grid a sheet is read into (rows × columns from A1), the memory a reader allocates.
DEFAULT_MAX_CELLS = 25_000_000
#: Uncompressed size of one part of an XLSX (a worksheet's XML, the shared strings).
DEFAULT_MAX_PART_MIB = 256
#: Uncompressed size of all parts of an XLSX together.
DEFAULT_MAX_ARCHIVE_MIB = 512
#: Parts (files) inside an XLSX; a real workbook has a few dozen.
DEFAULT_MAX_PARTS = 10_000


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """The bounds a reader enforces; the defaults are the service's defaults."""

    max_rows: int = DEFAULT_MAX_ROWS
    max_columns: int = DEFAULT_MAX_COLUMNS
    max_cells: int = DEFAULT_MAX_CELLS
    max_part_bytes: int = DEFAULT_MAX_PART_MIB * MIB
    max_archive_bytes: int = DEFAULT_MAX_ARCHIVE_MIB * MIB
    max_parts: int = DEFAULT_MAX_PARTS
