"""Who may do what in the policy ledger (to join app/auth/policy.py at merge).

- leader, admin: read every item, with enterprise names;
- department: the items its department leads (the policy task's first department), with names;
  files applications for them, approves them and records their payment (not admins: approval
  and payment are the department's acts; admins may file, e.g. a bulk import);
- bureau: reads every item's amounts, but enterprise names and codes are masked.
Quotes (试算) need only the read permission: they name no enterprise.
"""

from __future__ import annotations

from app.auth.roles import Permission, Role
from app.services.accounts import User
from indicators.model import Plan


def lead_department(plan: Plan, item: int) -> str:
    """The item's lead department (牵头): the first department of its policy task."""
    lead = plan.task(plan.incentive(item).task).lead
    assert lead is not None, "every policy task names departments"
    return lead


def visible_items(actor: User, plan: Plan) -> list[int] | None:
    """The items the actor may read; None means all."""
    if not actor.can(Permission.READ):
        return []
    if actor.role is Role.DEPARTMENT:
        return [i.item for i in plan.incentives if lead_department(plan, i.item) == actor.department]
    return None


def can_read_item(actor: User, plan: Plan, item: int) -> bool:
    items = visible_items(actor, plan)
    return items is None or item in items


def sees_names(actor: User) -> bool:
    """Enterprise names and codes: leaders, admins and (for their own items) departments."""
    return actor.active and actor.role in (Role.ADMIN, Role.LEADER, Role.DEPARTMENT)


def can_file(actor: User, plan: Plan, item: int) -> bool:
    if actor.role is Role.ADMIN:
        return actor.active
    return actor.active and actor.role is Role.DEPARTMENT and actor.department == lead_department(plan, item)


def can_approve(actor: User, plan: Plan, item: int) -> bool:
    """Only the item's lead department approves."""
    return actor.active and actor.role is Role.DEPARTMENT and actor.department == lead_department(plan, item)


def can_pay(actor: User, plan: Plan, item: int) -> bool:
    """The lead department records the payment of what it approved."""
    return can_approve(actor, plan, item)
