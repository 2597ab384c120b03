"""The HTTP API under /api/v1: thin routes over app.services."""

API_PREFIX = "/api/v1"
"""Where the API is mounted (app.main); links built elsewhere (the dashboard's downloads) start here."""
