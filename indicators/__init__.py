"""Pure domain: the plan catalog, periods, units and the progress engine.

Standard library, pandas and numpy only: no SQL, no web, no clock reads.
"""
