"""An API client on the real app (ASGI, over HTTPS so secure cookies flow) with a user per role."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.auth.policy import SYSTEM
from app.auth.roles import Role
from app.config import Settings
from app.main import create_app
from app.services import accounts, setup
from indicators.plan import DEFAULT_PLAN

PASSWORD = "correct-horse-battery"
ROLE_USERS = {
    Role.ADMIN: ("root", None),
    Role.BUREAU: ("tongji", None),
    Role.DEPARTMENT: ("txglj", "comms_admin"),
    Role.LEADER: ("lingdao", None),
}


@dataclass(frozen=True)
class Api:
    client: TestClient
    app: FastAPI
    engine: sa.Engine
    tokens: dict[Role, str]

    def as_role(self, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def api_for(settings: Settings, engine: sa.Engine) -> Iterator[Api]:
    """The plan, a user with a token per role, and a client on the app (for fixtures of any scope)."""
    setup.init_database(engine=engine, plan_path=DEFAULT_PLAN)
    tokens = {}
    for role, (username, department) in ROLE_USERS.items():
        user = accounts.create_user(
            actor=SYSTEM,
            engine=engine,
            username=username,
            password=PASSWORD,
            role=role,
            department=department,
        )
        tokens[role] = accounts.create_token(engine=engine, user=user, name="tests")[1]
    app = create_app(settings, engine=engine, scheduler=False, dashboard=False)
    with TestClient(app, base_url="https://testserver") as client:
        yield Api(client, app, engine, tokens)


@pytest.fixture
def api(settings: Settings, engine: sa.Engine) -> Iterator[Api]:
    yield from api_for(settings, engine)
