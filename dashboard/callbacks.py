"""Callbacks declared by the pages, registered on each Dash app that `create_dash` builds.

`dash.callback` puts callbacks in a process-wide list that the first app to serve a request takes
for itself: a second app in the same process (tests, a second `create_app`) would get none. Pages
declare theirs with `callback(...)` here instead; it records the declaration and returns the plain
function unchanged (tests call it directly), and `register_callbacks(app)` wires every one of them
into a given app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import dash

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class _Declaration:
    function: Callable[..., Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]


_DECLARED: list[_Declaration] = []
_CLIENTSIDE: list[_Declaration] = []


def callback(*args: Any, **kwargs: Any) -> Callable[[F], F]:
    """Declare a callback (same arguments as `dash.callback`); the function is returned as is."""

    def declare(function: F) -> F:
        _DECLARED.append(_Declaration(function, args, kwargs))
        return function

    return declare


def clientside(script: str, *args: Any, **kwargs: Any) -> None:
    """Declare a callback that runs in the browser (`script`: a JavaScript function), no round trip."""
    _CLIENTSIDE.append(_Declaration(lambda: script, args, kwargs))


def register_callbacks(app: dash.Dash) -> None:
    """Register every declared callback on `app`."""
    for declaration in _DECLARED:
        app.callback(*declaration.args, **declaration.kwargs)(declaration.function)
    for declaration in _CLIENTSIDE:
        app.clientside_callback(declaration.function(), *declaration.args, **declaration.kwargs)
