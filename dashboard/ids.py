"""Component ids, one constant each, so layouts, callbacks and browser tests name the same thing.

Ids are kebab-case strings; pattern-matching ids are built by the helper functions at the bottom, so
a test can compute the id of, say, the status badge of one target.
"""

from __future__ import annotations

import re

# shell
URL = "url"
NAVBAR = "navbar"
PAGE = "page"
LANG_SWITCH = "lang-switch"
LOGOUT = "logout-link"
USER_BADGE = "user-badge"

# shared controls
AS_OF = "as-of"
INDICATOR = "indicator-select"
REGION = "region-select"
DEPARTMENT = "department-select"

# overview
FRESHNESS = "freshness"
STATUS_COUNTS = "status-counts"
TARGET_CARDS = "target-cards"
TRAJECTORIES = "trajectories"

# regions and city detail
TILE_MAP = "tile-map"
RANKING = "ranking"
CITY_TABLE = "city-table"
CITY_INDICATORS = "city-indicators"
CITY_SERIES = "city-series"

# departments
DEPT_TARGETS = "dept-targets"
DEPT_TASKS = "dept-tasks"
DEPT_INDICATORS = "dept-indicators"
NOTES = "notes"
NOTE_TASK = "note-task"
NOTE_PERIOD = "note-period"
NOTE_STATUS = "note-status"
NOTE_TEXT = "note-text"
NOTE_SAVE = "note-save"
NOTE_MESSAGE = "note-message"

# indicator
SERIES_PROVINCE = "series-province"
SERIES_CITIES = "series-cities"
VALUE_TABLE = "value-table"
METADATA = "indicator-metadata"
PROVENANCE = "provenance"
HISTORY = "history"

# uploads
UPLOAD = "upload-drop"
UPLOAD_RESULT = "upload-result"
UPLOAD_STORE = "upload-store"
UPLOAD_ERRORS = "upload-errors"
UPLOAD_WARNINGS = "upload-warnings"
UPLOAD_DIFF = "upload-diff"
CONFIRM_WARNINGS = "confirm-warnings"
PUBLISH_REASON = "publish-reason"
PUBLISH = "publish-button"
REJECT = "reject-button"
PUBLISH_MESSAGE = "publish-message"
STALE_CHANGES = "stale-changes"  # what changed since staging, shown when publishing is refused
HISTORY_TABLE = "upload-history"
HISTORY_REFRESH = "upload-history-refresh"
ROLLBACK_MESSAGE = "rollback-message"
COMPLETENESS_PERIOD = "completeness-period"
COMPLETENESS = "completeness"
COMPLETENESS_SUMMARY = "completeness-summary"
TEMPLATE_PERIOD = "template-period"
TEMPLATE_DEPARTMENT = "template-department"
TEMPLATE_BUTTON = "template-button"
TEMPLATE_DOWNLOAD = "template-download"

# tasks
TASK_SEARCH = "task-search"
TASK_TREE = "task-tree"
TASK_COUNT = "task-count"

# methodology
METHODOLOGY = "methodology"

# brief export (department, city and overview pages) and the briefs page
BRIEF_EXPORT = "brief-export"
BRIEF_SCOPE = "brief-scope"
BRIEF_FORMAT = "brief-format"
BRIEF_BUTTON = "brief-button"
BRIEF_DOWNLOAD = "brief-download"
BRIEF_MESSAGE = "brief-message"
BRIEF_TABLE = "brief-table"

ACCOUNT_LINK = "account-link"
ACCOUNT_TOKENS = "account-tokens"
TOKEN_NAME = "token-name"
TOKEN_CREATE = "token-create"
TOKEN_MESSAGE = "token-message"
TOKEN_SECRET = "token-secret"
TOKEN_LIST = "token-list"
REVOKE_TYPE = "token-revoke"
"""`type` of the pattern-matching ids of the revoke buttons: {"type": REVOKE_TYPE, "token": id}."""

ROLLBACK_TYPE = "rollback-button"
"""`type` of the pattern-matching ids of the rollback buttons: {"type": ROLLBACK_TYPE, "upload": id}."""

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def status_badge(target_id: str, scope: str = "") -> str:
    """The stable id of a target's status badge: `status-badge-base_stations_5g-140000-2022`.

    Target ids contain `@` and `:`, which CSS selectors and Dash's own id parsing dislike. `scope`
    tells apart the badges of one target shown several times on a page (under each of its tasks).
    """
    prefix = f"status-badge-{_UNSAFE.sub('-', scope)}-" if scope else "status-badge-"
    return prefix + _UNSAFE.sub("-", target_id).strip("-")


def status_popover(target_id: str, scope: str = "") -> str:
    """The id of the popover that explains a target's status."""
    return status_badge(target_id, scope).replace("status-badge-", "status-why-", 1)


def target_card(target_id: str) -> str:
    return status_badge(target_id).replace("status-badge-", "card-", 1)


def brief_link(brief_id: int) -> str:
    """The id of a brief's download link on the briefs page: `brief-link-12`."""
    return f"brief-link-{brief_id}"


def rollback_button(upload_id: int) -> dict[str, object]:
    return {"type": ROLLBACK_TYPE, "upload": upload_id}


# 指数 composite index page
INDEX_PROVINCE = "index-province"
INDEX_RANKING = "index-ranking"
METHODOLOGY_TECHNICAL_LINK = "methodology-technical-link"


def table_body(table_id: str) -> str:
    """The id of a table's body (its rows): `upload-errors-body`, so tests find rows by id, not position."""
    return f"{table_id}-body"


def status_count(chips_id: str, status: str) -> str:
    """The id of the count in one status chip of an identified chip row: `status-counts-ahead`."""
    return f"{chips_id}-{status}"
