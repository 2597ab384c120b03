"""Accounts, roles and what each role may do; sessions, API tokens and login rate limits."""
