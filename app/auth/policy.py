"""Who may do what to which object: the one place the role matrix is decided, asked by the services.

`app.auth.roles` says what a role may do in general (its permissions); this module adds the object:
a department uploads only the indicators it reports and acts only on its own uploads, writes notes
only for its own department, exports briefs and reads reminders only of its own scope; only the
bureau (or an administrator) overrides a period lock; accounts are managed by administrators, and a
password may also be changed by its owner. The services
call these functions with the acting `User` and raise `Refused` (403) themselves, so an edge (an API
route, a page, a command, a scheduled job) cannot forget a check: the API's `Requires` dependency and
the pages' hidden buttons are conveniences, never the rule.

System actors. The command line (`dem ingest`, `dem publish`, …), the inbox and the scheduled jobs
act as administrators with `id=0` under a name that says who they are (`cli` or `--user`, `inbox`,
`scheduler`): whoever runs `dem` on the server already holds the database, and the name is what the
history records. `system_actor()` builds them; no account with id 0 exists, so none can sign in as one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from app.auth.roles import PERMISSION_LABELS, Permission, Role
from app.auth.users import User
from app.errors import DomainError
from indicators.model import Plan

__all__ = [
    "SYSTEM",
    "Refused",
    "confined_to",
    "ledger_items",
    "ledger_lead_department",
    "may_act_on_upload",
    "may_approve_award",
    "may_file_application",
    "may_pay_award",
    "may_read_ledger_item",
    "may_see_enterprises",
    "may_export_brief",
    "may_override_lock",
    "may_see_department",
    "may_write_notes",
    "require",
    "require_act_on_upload",
    "require_export_brief",
    "require_write_notes",
    "system_actor",
    "upload_scope",
    "visible_department",
]

SYSTEM_ID = 0


class Refused(DomainError):
    """The actor may not do this: one error for every refusal of the role matrix (HTTP 403)."""

    default_status = 403

    def __init__(self, message_zh: str, message_en: str, code: str = "forbidden") -> None:
        super().__init__(code, message_zh, message_en)


class BriefScopeLike(Protocol):
    """What the brief rule needs of a scope (`app.services.briefs.BriefScope`)."""

    @property
    def kind(self) -> str: ...

    @property
    def code(self) -> str | None: ...


def system_actor(name: str = "system") -> User:
    """The actor of the command line, the inbox and the scheduled jobs: an administrator named `name`."""
    return User(id=SYSTEM_ID, username=name, display_name=name, role=Role.ADMIN, department=None)


SYSTEM = system_actor()


def require(actor: User, permission: Permission) -> None:
    """Refuse unless the actor's role has the permission; the message names it as people say it."""
    if not actor.can(permission):
        zh, en = PERMISSION_LABELS[permission]
        raise Refused(
            f"当前角色无权执行此操作（需要“{zh}”权限）", f"your role may not {en} (permission {permission})"
        )


def upload_scope(*, plan: Plan, actor: User) -> set[str] | None:
    """Indicators an actor may upload: a department those it reports, and those the plan grants it
    (`also_reported_by`); other roles any (None). Supporting a task does not make a department the
    reporter of its indicators."""
    if actor.role is not Role.DEPARTMENT:
        return None
    if actor.department is None:
        return set()
    return {
        i.code
        for i in plan.indicators
        if i.department == actor.department or actor.department in i.also_reported_by
    }


def may_act_on_upload(*, actor: User, upload: Mapping[str, Any]) -> bool:
    """Publish or discard an upload: uploaders; a department only its own uploads."""
    if not actor.can(Permission.UPLOAD):
        return False
    return actor.role is not Role.DEPARTMENT or upload["uploaded_by"] == actor.username


def require_act_on_upload(*, actor: User, upload: Mapping[str, Any]) -> None:
    require(actor, Permission.UPLOAD)
    if not may_act_on_upload(actor=actor, upload=upload):
        raise Refused(
            "无权处理他人上报的文件：部门只能处理本人上报的文件", "departments act on their own uploads only"
        )


#: Who may revise a locked period with a reason marked 年报修订 (app.services.locks).
LOCK_OVERRIDE_ROLES = frozenset({Role.BUREAU, Role.ADMIN})


def may_override_lock(role: Role | None) -> bool:
    """The bureau (and administrators, the system actors among them) may publish a 年报修订 into a
    locked period; None is an operator at the command line, who acts for the bureau."""
    return role is None or role in LOCK_OVERRIDE_ROLES


def may_write_notes(*, actor: User, department: str) -> bool:
    """Department users write their own department's notes; administrators any department's."""
    if not actor.can(Permission.WRITE_NOTES):
        return False
    return actor.role is not Role.DEPARTMENT or actor.department == department


def require_write_notes(*, actor: User, department: str) -> None:
    require(actor, Permission.WRITE_NOTES)
    if not may_write_notes(actor=actor, department=department):
        raise Refused(
            "只有本部门用户和管理员可以填报进展",
            "only the department's own users and administrators write its notes",
        )


def may_export_brief(*, actor: User, scope: BriefScopeLike) -> bool:
    """Admin, bureau and leader any scope; a department only its own department scope."""
    if not actor.can(Permission.EXPORT_BRIEFS):
        return False
    if actor.role is Role.DEPARTMENT:
        return scope.kind == "department" and scope.code is not None and scope.code == actor.department
    return True


def require_export_brief(*, actor: User, scope: BriefScopeLike) -> None:
    if not may_export_brief(actor=actor, scope=scope):
        raise Refused("无权导出该范围的简报", "not allowed to export briefs of this scope")


def may_see_department(*, actor: User | None, department: str) -> bool:
    """A department's reminders: its own users see them; the bureau, leaders and admins all."""
    if actor is None or not actor.can(Permission.READ):
        return False
    return actor.role is not Role.DEPARTMENT or actor.department == department


def confined_to(actor: User) -> str | None:
    """The one department whose records a department user sees ("" if it has none); None: any."""
    return (actor.department or "") if actor.role is Role.DEPARTMENT else None


def visible_department(*, actor: User, requested: str | None) -> str | None:
    """The department whose records a listing shows: a department user always its own (whatever
    was asked); others what they asked for (None: every department)."""
    require(actor, Permission.READ)
    own = confined_to(actor)
    return requested if own is None else own


# The policy ledger (若干政策兑现): leader and admin read every item with enterprise names; a
# department the items it leads (the policy task's first department), with names, and it files,
# approves and records payment for them (approval and payment are the department's acts, so not
# admins', who may file, e.g. a bulk import); the bureau reads amounts with names and codes masked.
# Quotes (试算) need only the read permission: they name no enterprise.


def ledger_lead_department(plan: Plan, item: int) -> str:
    """The item's lead department (牵头): the first department of its policy task."""
    lead = plan.task(plan.incentive(item).task).lead
    assert lead is not None, "every policy task names departments"
    return lead


def ledger_items(actor: User, plan: Plan) -> list[int] | None:
    """The items the actor may read; None means all."""
    if not actor.can(Permission.READ):
        return []
    if actor.role is Role.DEPARTMENT:
        return [i.item for i in plan.incentives if ledger_lead_department(plan, i.item) == actor.department]
    return None


def may_read_ledger_item(actor: User, plan: Plan, item: int) -> bool:
    items = ledger_items(actor, plan)
    return items is None or item in items


def may_see_enterprises(actor: User) -> bool:
    """Enterprise names and codes: leaders, admins and (for their own items) departments."""
    return actor.active and actor.role in (Role.ADMIN, Role.LEADER, Role.DEPARTMENT)


def may_file_application(actor: User, plan: Plan, item: int) -> bool:
    if actor.role is Role.ADMIN:
        return actor.active
    return (
        actor.active
        and actor.role is Role.DEPARTMENT
        and actor.department == ledger_lead_department(plan, item)
    )


def may_approve_award(actor: User, plan: Plan, item: int) -> bool:
    """Only the item's lead department approves."""
    return (
        actor.active
        and actor.role is Role.DEPARTMENT
        and actor.department == ledger_lead_department(plan, item)
    )


def may_pay_award(actor: User, plan: Plan, item: int) -> bool:
    """The lead department records the payment of what it approved."""
    return may_approve_award(actor, plan, item)
