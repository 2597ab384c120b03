"""The upload route's body is bounded while it arrives, before FastAPI spools it to disk.

FastAPI reads a multipart form completely before the route runs, so a size check in the route (or
in `stage_file`, which checks again while copying) would come after a 2 GB body had been written to
a temporary file. This middleware answers 413 at once when the declared `Content-Length` is over
the limit, and stops reading a body without one (chunked) as soon as it passes the limit. The limit
is `DEM_MAX_UPLOAD_MB` plus a little for the form's boundaries and part headers.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.errors import domain_problem
from app.services.uploads import too_large

MULTIPART_SLACK = 64 * 1024  # boundaries, part headers and the file name around the file's bytes


class UploadBodyLimit:
    """Refuse an upload request whose body is, or becomes, larger than the upload limit (HTTP 413)."""

    def __init__(self, app: ASGIApp, *, path: str, max_bytes: int) -> None:
        self.app = app
        self.path = path
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"].rstrip("/") != self.path:
            await self.app(scope, receive, send)
            return
        limit = self.max_bytes + MULTIPART_SLACK
        declared = Headers(scope=scope).get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await domain_problem(too_large(None, self.max_bytes))(scope, receive, send)
            return
        received = 0

        async def counted() -> Message:
            # raised inside FastAPI's form parsing, which re-raises it as the cause of a 400: the
            # error handler answers with this cause, a 413
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise too_large(None, self.max_bytes)
            return message

        await self.app(scope, counted, send)
