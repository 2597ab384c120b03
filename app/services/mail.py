"""E-mail through the configured SMTP server (standard library smtplib); nothing when none is set."""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from email.message import EmailMessage

from app.config import Settings

SMTP_TIMEOUT_SECONDS = 30


def smtp_configured(settings: Settings) -> bool:
    return bool(settings.smtp_host)


def send_mail(
    settings: Settings,
    *,
    to: list[str],
    subject: str,
    body: str,
    attachments: Sequence[tuple[str, bytes, str]] = (),
) -> None:
    """Send one message; attachments are (file name, bytes, MIME type)."""
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message.set_content(body)
    for name, data, mime in attachments:
        maintype, _, subtype = mime.partition("/")
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    with smtplib.SMTP(settings.smtp_host or "", settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.send_message(message)
