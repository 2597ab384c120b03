"""How data/sample/ is made and checked, by job: `figures` (the numbers), `values` (the plan and every
value), `writers` (the files), `oracle` (the independent re-read). `scripts/build_sample_data.py` runs them.
"""
