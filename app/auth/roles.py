"""Roles and permissions: one table says who may do what, and every route names what it needs."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    BUREAU = "bureau"  # statistics bureau: uploads and publishes any indicator
    DEPARTMENT = "department"  # its own indicators, tasks and briefs
    LEADER = "leader"  # reads everything, exports briefs


class Permission(StrEnum):
    READ = "read"
    UPLOAD = "upload"  # stage, publish and reject uploads (departments: their own indicators)
    ROLLBACK = "rollback"
    LOCK_PERIODS = "lock_periods"  # lock and unlock published periods (bureau, admin)
    WRITE_NOTES = "write_notes"  # departments: their own tasks
    EXPORT_BRIEFS = "export_briefs"  # departments: their own scope
    READ_AUDIT = "read_audit"
    MANAGE_USERS = "manage_users"
    OWN_TOKENS = "own_tokens"


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.BUREAU: frozenset(
        {
            Permission.READ,
            Permission.UPLOAD,
            Permission.ROLLBACK,
            Permission.LOCK_PERIODS,
            Permission.EXPORT_BRIEFS,
            Permission.OWN_TOKENS,
        }
    ),
    Role.DEPARTMENT: frozenset(
        {
            Permission.READ,
            Permission.UPLOAD,
            Permission.WRITE_NOTES,
            Permission.EXPORT_BRIEFS,
            Permission.OWN_TOKENS,
        }
    ),
    Role.LEADER: frozenset({Permission.READ, Permission.EXPORT_BRIEFS, Permission.OWN_TOKENS}),
}

ROLE_LABELS = {
    Role.ADMIN: ("系统管理员", "Administrator"),
    Role.BUREAU: ("统计部门", "Statistics bureau"),
    Role.DEPARTMENT: ("责任部门", "Department"),
    Role.LEADER: ("领导", "Leadership"),
}

#: How a permission reads in a refusal (the API's 403, the pages): people never see the code.
PERMISSION_LABELS = {
    Permission.READ: ("查看数据", "read data"),
    Permission.UPLOAD: ("上报数据", "upload data"),
    Permission.ROLLBACK: ("回滚上报", "roll back uploads"),
    Permission.LOCK_PERIODS: ("锁定或解锁时期", "lock and unlock periods"),
    Permission.WRITE_NOTES: ("填报工作进展", "write progress notes"),
    Permission.EXPORT_BRIEFS: ("导出监测简报", "export briefs"),
    Permission.READ_AUDIT: ("查看审计日志", "read the audit log"),
    Permission.MANAGE_USERS: ("管理用户", "manage users"),
    Permission.OWN_TOKENS: ("管理本人的访问令牌", "manage own API tokens"),
}


def allows(role: Role | str, permission: Permission) -> bool:
    return permission in ROLE_PERMISSIONS[Role(role)]
