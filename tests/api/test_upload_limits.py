"""The upload limit at the API edge: a declared body over it is refused before it is read, a body
without a declared size (chunked) is cut off while it arrives, and a file just over it is refused by
the upload door itself; each answers 413 problem+json in Chinese and stages nothing. The type is
checked before the duplicate: the same bytes under another extension are a 415, not a "duplicate".
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.api.upload_limit import MULTIPART_SLACK
from app.auth.roles import Role
from app.config import Settings
from tests.api.conftest import Api, api_for

LIMIT_MB = 0.05  # 52,428 bytes
LIMIT = int(LIMIT_MB * (1 << 20))
BOUNDARY = "dem-test-boundary"
ROW = "5G基站数,太原市,2025Q1,100\n"


@pytest.fixture
def small(settings: Settings, engine: sa.Engine) -> Iterator[Api]:
    yield from api_for(settings.model_copy(update={"max_upload_mb": LIMIT_MB}), engine)


def csv_of(size: int) -> bytes:
    head = "指标,地区,时期,数值\n".encode()
    rows = ROW.encode() * (size // len(ROW.encode()) + 1)
    return (head + rows)[:size]


def multipart(name: str, data: bytes) -> bytes:
    return (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


def assert_refused_as_too_large(api: Api, response: object, name: str | None) -> None:
    assert response.status_code == 413, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["code"] == "file-too-large"
    assert body["detail"] == f"未上传{f'“{name}”' if name else '文件'}：文件超过 0.05 MB，请拆分后上传"
    assert api.client.get("/api/v1/uploads", headers=api.as_role(Role.BUREAU)).json() == []


def test_a_declared_body_over_the_limit_is_refused_before_it_is_read(small: Api) -> None:
    body = multipart("big.csv", csv_of(LIMIT + MULTIPART_SLACK + 1))
    headers = {**small.as_role(Role.BUREAU), "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    response = small.client.post("/api/v1/uploads", content=body, headers=headers)
    assert_refused_as_too_large(small, response, None)


def test_a_body_without_a_declared_size_is_cut_off_while_it_arrives(small: Api) -> None:
    body = multipart("big.csv", csv_of(LIMIT + MULTIPART_SLACK + 1))

    def chunks() -> Iterator[bytes]:
        for start in range(0, len(body), 8192):
            yield body[start : start + 8192]

    headers = {**small.as_role(Role.BUREAU), "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    request = small.client.build_request("POST", "/api/v1/uploads", content=chunks(), headers=headers)
    assert "content-length" not in request.headers and request.headers["transfer-encoding"] == "chunked"
    assert_refused_as_too_large(small, small.client.send(request), None)


def test_a_file_just_over_the_limit_is_refused_by_the_door_with_its_name(small: Api) -> None:
    response = small.client.post(
        "/api/v1/uploads", files={"file": ("季报.csv", csv_of(LIMIT + 1))}, headers=small.as_role(Role.BUREAU)
    )
    assert_refused_as_too_large(small, response, "季报.csv")


def test_a_file_at_the_limit_goes_through(small: Api) -> None:
    data = csv_of(LIMIT)
    data = data[: data.rfind(b"\n") + 1]
    response = small.client.post(
        "/api/v1/uploads", files={"file": ("a.csv", data)}, headers=small.as_role(Role.BUREAU)
    )
    assert response.status_code == 201, response.text  # read and reported (its rows repeat one key)
    assert response.json()["status"] == "rejected"
    assert {e["code"] for e in response.json()["errors"]} == {"duplicate-key"}


def test_the_same_bytes_as_a_pdf_are_refused_for_their_type_not_as_a_duplicate(
    api: Api, tmp_path: Path
) -> None:
    data = ("指标,地区,时期,数值\n" + ROW).encode()
    first = api.client.post(
        "/api/v1/uploads", files={"file": ("a.csv", data)}, headers=api.as_role(Role.BUREAU)
    )
    assert first.json()["status"] == "staged"
    again = api.client.post(
        "/api/v1/uploads", files={"file": ("a.pdf", data)}, headers=api.as_role(Role.BUREAU)
    )
    assert (again.status_code, again.json()["code"]) == (415, "unsupported-file-type")
    assert "XLS" in again.json()["detail"]


def test_the_report_is_the_validation_reports_own_type(api: Api) -> None:
    bad = "指标,地区,时期,数值\n5G基站数,太源,2025Q1,100\n".encode()
    answer = api.client.post(
        "/api/v1/uploads", files={"file": ("bad.csv", bad)}, headers=api.as_role(Role.BUREAU)
    )
    [error] = answer.json()["errors"]
    assert error == {
        "sheet": None,
        "row": 2,
        "column": "地区",
        "code": "unknown-region",
        "severity": "error",
        "message_zh": error["message_zh"],
        "message_en": error["message_en"],
        "value": "太源",
        "old": None,
        "new": None,
    }
    assert "太源" in error["message_zh"]
