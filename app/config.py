"""One settings object for the whole service, read from `DEM_*` environment variables.

Nothing reads the environment at import: each command builds `Settings()` when it runs and passes it
to `create_app(settings)`; tests build their own `Settings(...)`.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from indicators.plan import DEFAULT_PLAN

DEFAULT_DATABASE_URL = "duckdb:///data/dem.duckdb"


class Settings(BaseSettings):
    """Service configuration; every field is documented in docs/configuration.md."""

    model_config = SettingsConfigDict(env_prefix="DEM_", env_file=".env", extra="ignore")

    database_url: str = Field(
        DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL: duckdb:///path.duckdb (embedded) or postgresql+psycopg://user@host/db",
    )
    plan: Path = Field(DEFAULT_PLAN, description="Plan file (TOML) that defines the catalog and targets")
    secret_key: str = Field(
        "change-me-in-production", description="Key that signs session cookies and CSRF tokens"
    )
    data_dir: Path = Field(Path("data"), description="Folder for the embedded database and generated files")
    sample_dir: Path = Field(
        Path("data/sample"), description="Folder of sample uploads loaded by init --sample"
    )
    inbox_dir: Path = Field(Path("data/inbox"), description="Folder watched for dropped upload files")
    brief_dir: Path = Field(Path("data/briefs"), description="Folder where generated briefs are written")
    inbox_publish: bool = Field(
        False, description="Publish inbox files that have neither errors nor warnings (else only stage)"
    )
    inbox_interval_seconds: int = Field(30, description="How often the inbox folder is checked")
    upload_dir: Path = Field(Path("data/uploads"), description="Folder where uploaded files are archived")

    demo: bool = Field(False, description="Sign visitors in as a read-only leader (never on by default)")
    cookie_secure: bool = Field(
        True, description="Send the session cookie only over HTTPS (localhost counts)"
    )
    admin_password: str | None = Field(
        None,
        description="Password for the first admin created by dem init (else one is generated and printed)",
    )
    session_hours: int = Field(12, description="How long a browser session lasts")
    note_edit_days: int = Field(
        92, description="Days after a period ends during which departments can still edit its progress notes"
    )

    reminder_days: list[int] = Field(
        [-7, 1, 15],
        description="Days relative to each due date on which 催报 reminders are created (negative: before)",
    )
    reminder_hour: int = Field(9, description="Hour of the day (Beijing time) at which the reminder job runs")
    reminder_recipients: dict[str, str] = Field(
        {}, description="E-mail addresses per department code for reminders, comma-separated (JSON object)"
    )
    smtp_host: str | None = Field(None, description="SMTP server for reminder e-mails (unset: no e-mail)")
    smtp_port: int = Field(25, description="SMTP server port")
    smtp_user: str | None = Field(None, description="SMTP login name (unset: no login)")
    smtp_password: str | None = Field(None, description="SMTP password")
    smtp_starttls: bool = Field(False, description="Upgrade the SMTP connection with STARTTLS")
    smtp_from: str = Field("dem@localhost", description="Sender address of reminder e-mails")

    @property
    def is_duckdb(self) -> bool:
        return self.database_url.startswith("duckdb")
