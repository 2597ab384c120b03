"""Security headers on every response: a Content-Security-Policy Dash works with, no framing, no sniffing.

One ASGI middleware wraps the whole process, so the API, the sign-in page and the mounted dashboard
all carry the same headers. Dash needs two allowances: its one inline bootstrap script, allowed by
hash (`Dash.csp_hashes()`, asked per response: Dash adds its clientside-callback script only when it
first serves a page), and `'unsafe-eval'`, because plotly.js compiles some functions at run time
(plotly/plotly.js#897). Styles allow inline, since Dash components set style attributes. The
OpenAPI pages load Swagger UI from its CDN, so /docs alone gets a policy that allows it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

SWAGGER_CDN = "https://cdn.jsdelivr.net"
DOCS_PATHS = ("/docs", "/redoc")


def content_security_policy(*, script_hashes: Sequence[str] = (), docs: bool = False) -> str:
    """The policy: our own origin only, plus what Dash (or Swagger UI on /docs) needs to run."""
    scripts = ["'self'", *script_hashes, "'unsafe-eval'"]
    styles = ["'self'", "'unsafe-inline'"]
    images = ["'self'", "data:", "blob:"]
    if docs:
        scripts += [SWAGGER_CDN, "'unsafe-inline'"]
        styles.append(SWAGGER_CDN)
        images.append("https://fastapi.tiangolo.com")
    directives = {
        "default-src": ["'self'"],
        "script-src": scripts,
        "style-src": styles,
        "img-src": images,
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives.items())


class SecurityHeaders:
    """Adds the headers to every HTTP response that does not set them itself."""

    def __init__(self, app: ASGIApp, *, script_hashes: Callable[[], Sequence[str]] = tuple) -> None:
        self.app = app
        self._script_hashes = script_hashes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        docs = path.startswith(DOCS_PATHS)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                policy = content_security_policy(script_hashes=self._script_hashes(), docs=docs)
                extra = [
                    (b"content-security-policy", policy.encode()),
                    (b"x-frame-options", b"DENY"),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"same-origin"),
                ]
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *(h for h in extra if h[0] not in present)]
            await send(message)

        await self.app(scope, receive, with_headers)
