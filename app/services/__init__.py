"""Use cases: the only code that combines the store, etl and the domain."""
