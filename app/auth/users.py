"""Who acts: the signed-in user, a token's owner, or a system actor (`app.auth.policy.system_actor`).

It lives in `app.auth`, beside the roles, so that the policy and every service can take an actor
without importing the accounts service.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.auth.roles import Permission, Role, allows


@dataclass(frozen=True)
class User:
    id: int
    username: str
    display_name: str
    role: Role
    department: str | None
    active: bool = True

    def can(self, permission: Permission) -> bool:
        return self.active and allows(self.role, permission)

    @classmethod
    def from_row(cls, row: dict) -> User:
        return cls(
            id=int(row["id"]),
            username=row["username"],
            display_name=row["display_name"],
            role=Role(row["role"]),
            department=row["department"],
            active=bool(row["active"]),
        )
