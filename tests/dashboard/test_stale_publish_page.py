"""The publish button of 数据上报 shows what changed since staging and asks again (callbacks called
directly, as in test_callbacks)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from app.auth.policy import system_actor
from app.context import AppContext
from app.services import uploads as upload_service
from app.services.progress import latest_period
from dashboard import ids
from tests.dashboard.conftest import RunAs, find, text
from tests.dashboard.test_callbacks import contents, csv_file


def test_a_stale_upload_shows_the_new_diff_and_publishes_on_the_second_press(
    pages: SimpleNamespace, as_user_empty: RunAs, empty_context: AppContext, tmp_path: Path
) -> None:
    mine = csv_file(tmp_path, ["5G基站数,太原,2025Q1,100"])
    with as_user_empty("bureau"):
        _, store, _ = pages.uploads.stage(contents(mine), mine.name, None)
        (tmp_path / "other").mkdir()
        other = csv_file(tmp_path / "other", ["5G基站数,太原,2025Q1,150"])
        staged = upload_service.stage_upload(
            engine=empty_context.engine, plan=empty_context.plan, path=other, actor=system_actor("x")
        )
        upload_service.publish_upload(
            engine=empty_context.engine, upload_id=staged.upload_id or 0, actor=system_actor("x")
        )
        stale, history, _, _, shown = pages.uploads.publish(1, True, None, store, None)
        assert "已被其他发布或回滚更改" in text(stale) and "请核对上表后再次点击" in text(stale)
        rows = find(stale, ids.STALE_CHANGES).children[1].children[1].children
        assert [[cell.children for cell in row.children][3:] for row in rows] == [["—", "150 个", "100 个"]]
        assert shown["seen_version"] >= 1 and shown["upload_id"] == store["upload_id"]
        unexplained, *_ = pages.uploads.publish(2, True, None, shown, None)
        assert "请填写发布说明" in text(unexplained)
        done, *_ = pages.uploads.publish(3, True, "以本表为准", shown, None)
    assert "已发布 1 个数值" in text(done)
    assert latest_period(engine=empty_context.engine) == "2025Q1"
