"""How a generated brief is handed to a person: its content type and a Chinese file name.

The API's download route and the dashboard's export button both name the file the same way, so a
brief saved from either place is recognisable in a department's folder: its title, then its id.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from app.services.briefs import BriefFormat, BriefRecord

MEDIA_TYPES: dict[str, str] = {
    BriefFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    BriefFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    BriefFormat.PDF: "application/pdf",
}
_UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
"""Characters that Windows, macOS or a header cannot carry in a file name."""


def media_type(record: BriefRecord) -> str:
    return MEDIA_TYPES.get(record.format, "application/octet-stream")


def download_name(record: BriefRecord) -> str:
    """`山西省数字经济发展监测简报（2025年第三季度）-12.docx`: the title, the id, the format."""
    title = _UNSAFE_IN_NAMES.sub("-", record.title).strip(" .-") or "brief"
    return f"{title}-{record.id}.{record.format}"


def ascii_name(record: BriefRecord) -> str:
    """The fallback name for clients that cannot read RFC 5987 (`brief-12-2025Q3.docx`)."""
    period = re.sub(r"[^A-Za-z0-9]+", "", record.period) or "brief"
    return f"brief-{record.id}-{period}.{record.format}"


def content_disposition(record: BriefRecord) -> str:
    """An attachment header with an ASCII name and the Chinese one (RFC 6266 with RFC 5987's filename*)."""
    return (
        f'attachment; filename="{ascii_name(record)}"; '
        f"filename*=UTF-8''{quote(download_name(record), safe='')}"
    )


#: Where the API serves a brief's file (app/api/routes/briefs.py); the dashboard links here.
FILE_URL = "/api/v1/briefs/{brief_id}/file"


def file_url(brief_id: int) -> str:
    """The download route of one brief, authorised like every API call."""
    return FILE_URL.format(brief_id=brief_id)
