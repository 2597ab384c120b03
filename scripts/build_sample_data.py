"""Build the illustrative sample uploads in data/sample/ from the published Shanxi figures.

    .venv/bin/python scripts/build_sample_data.py           # rewrite data/sample/, then check it
    .venv/bin/python scripts/build_sample_data.py --check   # only re-read data/sample/ and check it
    .venv/bin/python scripts/build_sample_data.py --out /tmp/sample   # write (and check) elsewhere

Deterministic: one fixed seed (a generator per purpose, so adding a series does not shift the others)
and fixed workbook timestamps, so two runs give byte-identical files and the same sha256, which
`dem ingest` uses to recognise a file it has already loaded.

The numbers are illustrative, not official statistics. Province paths are built on the published
figures in ../shared/reference/shanxi-figures.md (see sample_data/figures.py) and apportioned to the
11 cities by 2022 city GDP shares, tilted per indicator where an industry is known to sit elsewhere
(data centres in 大同/阳泉/吕梁, coal mines in the coal cities …), with small deterministic noise.
data/sample/README.md says which number is which. The work is split by job in scripts/sample_data/:
figures, values, writers and the oracle.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sample_data.figures import OUT
from sample_data.oracle import check
from sample_data.writers import build


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only re-read and check the sample folder")
    parser.add_argument("--out", type=Path, default=OUT, help="the sample folder (default: data/sample)")
    args = parser.parse_args()
    if not args.check:
        build(args.out)
    return 0 if check(args.out) else 1


if __name__ == "__main__":
    raise SystemExit(main())
