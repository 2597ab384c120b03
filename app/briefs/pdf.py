"""PDF from the brief's docx with LibreOffice headless, fonts mapped by the project's fontconfig file.

LibreOffice's first start in a new profile directory costs seconds, so a process keeps one profile and
converts one file at a time through it (a lock); two processes never share a profile (it is named by
the process id), as two conversions at once in one profile fail silently.
`FONTCONFIG_FILE` points at app/briefs/fonts.conf, which maps 仿宋_GB2312 / 黑体 / 楷体 to the
installed CJK fonts; without it LibreOffice falls back to whatever face fontconfig picks.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from pathlib import Path

FONTS_CONF = Path(__file__).with_name("fonts.conf")
PACKAGE = "libreoffice-writer-nogui"
TIMEOUT_SECONDS = 180
COMMANDS = ("soffice", "libreoffice")
_LOCK = threading.Lock()


class PdfError(Exception):
    def __init__(self, message_zh: str, message_en: str) -> None:
        self.message_zh, self.message_en = message_zh, message_en
        super().__init__(f"{message_zh} / {message_en}")


def find_office() -> str | None:
    """The LibreOffice command on PATH, if any."""
    for name in COMMANDS:
        found = shutil.which(name)
        if found:
            return found
    return None


def convert_to_pdf(source: Path, target: Path) -> None:
    """Convert `source` (.docx) to `target` (.pdf)."""
    office = find_office()
    if office is None:
        raise PdfError(
            f"未安装 LibreOffice，无法生成 PDF：请安装 {PACKAGE}（apt-get install {PACKAGE}）",
            f"LibreOffice is not installed, so no PDF can be made: install {PACKAGE}",
        )
    profile = Path(tempfile.gettempdir()) / f"dem-lo-profile-{os.getuid()}-{os.getpid()}"
    with _LOCK, tempfile.TemporaryDirectory(prefix="dem-lo-") as folder:
        work = Path(folder)
        env = os.environ | {"FONTCONFIG_FILE": str(FONTS_CONF), "HOME": str(profile)}
        command = [
            office,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(work),
            str(source),
        ]
        try:
            done = subprocess.run(command, env=env, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired as exc:
            raise PdfError("LibreOffice 转换超时", "LibreOffice conversion timed out") from exc
        produced = work / (source.stem + ".pdf")
        if done.returncode != 0 or not produced.is_file():
            detail = (done.stderr or done.stdout).decode("utf-8", "replace").strip()[-300:]
            raise PdfError(f"LibreOffice 转换失败：{detail}", f"LibreOffice conversion failed: {detail}")
        shutil.move(str(produced), target)
