"""What every request can reach: settings, the engine and the plan, built once per app."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from app.config import Settings
from app.services.accounts import LoginLimits
from app.services.cache import DataCache
from indicators.model import Plan


@dataclass(frozen=True)
class AppContext:
    settings: Settings
    engine: sa.Engine
    plan: Plan
    limits: LoginLimits = LoginLimits()
    cache: DataCache = field(default_factory=DataCache)  # progress and page data per data version
