"""The one exception tree of the service: every refusal a person can read, with the HTTP status it means.

    DomainError(code, message_zh, message_en, status)
    ├── app.auth.policy.Refused          403  the actor's role may not do this (one policy module)
    ├── app.services.uploads.UploadError      stage, publish, reject, roll back (413, 415, 404, 409 …)
    ├── app.services.notes.NoteError          progress notes
    ├── app.services.accounts.AccountError    users, sessions, tokens, login
    ├── app.services.briefs.BriefError        monitoring briefs
    ├── app.services.locks.LockError          period locks
    ├── app.services.progress.ScopeError 422  an unknown region, department, indicator or period
    ├── app.services.ledger.LedgerError  422  policy-ledger applications (with the basis `key` at fault)
    └── app.api.errors.ApiError               what only the HTTP edge refuses (tokens, CSRF, bad query)

`code` is stable kebab-case that clients key on; `status` is what the API answers (one handler in
app/api/errors.py turns any of these into problem+json); the dashboard and the CLI show `message_zh`
(or `message_en`). This module imports nothing of the package, so every layer of `app` and the
dashboard can use it.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = ["DomainError"]


class DomainError(Exception):
    """A request the domain refuses; `status` is the HTTP status it maps to, messages are for people."""

    default_status: ClassVar[int] = 400

    def __init__(self, code: str, message_zh: str, message_en: str, status: int | None = None) -> None:
        self.code = code
        self.message_zh = message_zh
        self.message_en = message_en
        self.status = self.default_status if status is None else status
        super().__init__(f"{message_zh} / {message_en}")

    def problem_extra(self) -> dict[str, object]:
        """Members a subclass adds to its problem+json body (none by default)."""
        return {}

    def message(self, lang: str = "zh") -> str:
        """The message in the reader's language (Chinese unless `lang` is "en")."""
        return self.message_en if lang == "en" else self.message_zh
