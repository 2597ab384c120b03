"""One settings object for the whole service, read from `DEM_*` environment variables.

Nothing reads the environment at import: each command builds `Settings()` when it runs and passes it
to `create_app(settings)`; tests build their own `Settings(...)`.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from etl import limits
from indicators.plan import DEFAULT_PLAN

DEFAULT_DATABASE_URL = "duckdb:///data/dem.duckdb"
BRIEF_FORMATS = ("docx", "xlsx", "pdf")
DEFAULT_MAX_UPLOAD_MB = 100


class Settings(BaseSettings):
    """Service configuration; every field is documented in docs/configuration.md."""

    model_config = SettingsConfigDict(env_prefix="DEM_", env_file=".env", extra="ignore")

    database_url: str = Field(
        DEFAULT_DATABASE_URL,
        description="SQLAlchemy URL: duckdb:///path.duckdb (embedded) or postgresql+psycopg://user@host/db",
    )
    plan: Path = Field(DEFAULT_PLAN, description="Plan file (TOML) that defines the catalog and targets")
    data_dir: Path = Field(
        Path("data"), description="Folder for operator files (the first admin password, admin-password.txt)"
    )
    sample_dir: Path = Field(
        Path("data/sample"), description="Folder of sample uploads loaded by init --sample"
    )
    inbox_dir: Path = Field(Path("data/inbox"), description="Folder watched for dropped upload files")
    brief_dir: Path = Field(Path("data/briefs"), description="Folder where generated briefs are written")
    brief_day: int = Field(
        15,
        ge=1,
        le=92,
        description="Days after a quarter ends when the scheduled job writes that quarter's briefs",
    )
    brief_formats: str = Field(
        "docx", description="Formats the scheduled job writes, comma-separated (docx, xlsx, pdf)"
    )
    brief_interval_minutes: int = Field(
        60, ge=1, description="How often the brief job checks for missing briefs (and retries a failure)"
    )
    inbox_publish: bool = Field(
        False, description="Publish inbox files that have neither errors nor warnings (else only stage)"
    )
    inbox_interval_seconds: int = Field(30, description="How often the inbox folder is checked")
    page_warm_seconds: int = Field(
        5,
        ge=0,
        description="How often the service looks for newly published data and, when there are, "
        "prepares the main pages for the first visitor; 0 turns this off",
    )
    upload_dir: Path = Field(Path("data/uploads"), description="Folder where uploaded files are archived")
    upload_max_rows: int = Field(limits.DEFAULT_MAX_ROWS, ge=1, description="Rows a sheet or CSV may have")
    upload_max_columns: int = Field(
        limits.DEFAULT_MAX_COLUMNS, ge=1, description="Columns a sheet or CSV may have"
    )
    upload_max_cells: int = Field(
        limits.DEFAULT_MAX_CELLS, ge=1, description="Cells of a sheet's grid (rows × columns from A1)"
    )
    upload_max_part_mib: int = Field(
        limits.DEFAULT_MAX_PART_MIB, ge=1, description="Uncompressed size of one part of an XLSX, in MiB"
    )
    upload_max_archive_mib: int = Field(
        limits.DEFAULT_MAX_ARCHIVE_MIB, ge=1, description="Uncompressed size of all parts of an XLSX, in MiB"
    )
    upload_read_isolated: bool = Field(
        True, description="Read each upload in a separate worker process with a memory cap and a time limit"
    )
    upload_read_memory_mib: int = Field(
        4096, ge=256, description="Address space the upload-reading worker may use, in MiB"
    )
    upload_read_seconds: float = Field(
        180.0, gt=0, description="Time the upload-reading worker may take before the file is refused"
    )
    max_upload_mb: float = Field(
        DEFAULT_MAX_UPLOAD_MB,
        gt=0,
        description="Largest upload in MiB, the same for the API, the dashboard, dem ingest and the inbox",
    )

    demo: bool = Field(False, description="Sign visitors in as a read-only leader (never on by default)")
    cookie_secure: bool = Field(
        True, description="Send the session cookie only over HTTPS (localhost counts)"
    )
    admin_password: str | None = Field(
        None,
        description="Password for the first admin created by dem init (else one is generated and printed)",
    )
    session_hours: int = Field(12, description="How long a browser session lasts")
    token_days: int = Field(
        90, ge=1, le=3660, description="How long a new API token lives (a password change revokes it sooner)"
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses of reverse proxies whose X-Forwarded-For names the client (none by default)",
    )
    note_edit_days: int = Field(
        92, description="Days after a period ends during which departments can still edit its progress notes"
    )

    @field_validator("brief_formats")
    @classmethod
    def _known_formats(cls, value: str) -> str:
        """Refuse a typo at start-up rather than on the day the briefs are due."""
        formats = [part.strip().lower() for part in value.split(",") if part.strip()]
        unknown = [f for f in formats if f not in BRIEF_FORMATS]
        if unknown or not formats:
            raise ValueError(f"DEM_BRIEF_FORMATS: 未知格式 {unknown or value!r}，可选 docx、xlsx、pdf")
        return ",".join(dict.fromkeys(formats))

    @property
    def brief_format_list(self) -> list[str]:
        """The scheduled job's formats, in the order given."""
        return self.brief_formats.split(",")

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
    def max_upload_bytes(self) -> int:
        """`max_upload_mb` in bytes, as the upload door checks it."""
        return int(self.max_upload_mb * (1 << 20))

    @property
    def is_duckdb(self) -> bool:
        return self.database_url.startswith("duckdb")
