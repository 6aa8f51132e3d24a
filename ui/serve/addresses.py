"""Addresses of two or more segments (/network/extra): sent to the app's "no such page" instead of a blank page.

Streamlit answers any unknown path with its index.html, whose scripts load from relative paths
(``./static/js/…``). Under ``/network/extra`` they resolve to ``/network/static/js/…``, which is
answered with index.html again; the browser refuses HTML as a script and the page stays white.
Nothing in a page script can help, since no script ever runs. This ASGI middleware, given to
``st.App`` in ``app.py``, redirects such a request to the one-segment address ``/no-such-page``
with the address asked for in ``?address=``, where ``app.py`` shows the app's own sentence and
links. Pure Starlette/ASGI (no Streamlit), so it is tested directly.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

NOT_FOUND = "no-such-page"       # an address no page has: app.py shows its "no such page" there
ADDRESS_KEY = "address"          # ?address=/network/extra, the address asked for
# First segments Streamlit itself serves below: its API, assets, media, components, static files;
# and the app's own class-mode endpoint (ui/serve/classes/wait.py).
RESERVED = frozenset({"_stcore", "static", "media", "component", "app", "~", "-", "_app", "_class"})


def deep_path(path: str, root: str = "") -> bool:
    """Whether ``path`` (below the mount point ``root``) is a page address of two or more segments.

    Never one of Streamlit's own requests: the browser looks for the server's API below the page's
    address first (``/network/_stcore/health``) and must get Streamlit's answer (404) there.
    """
    rest = path[len(root):] if root and path.startswith(root) else path
    parts = [p for p in rest.split("/") if p]
    return (len(parts) > 1 and not RESERVED.intersection(parts[:1] + parts[1:2])
            and "_stcore" not in parts and "." not in parts[-1])


def navigation(scope) -> bool:
    """A browser opening an address (it asks for HTML), not a script's fetch or an asset."""
    headers = dict(scope.get("headers") or [])
    return scope.get("method") in ("GET", "HEAD") and b"text/html" in headers.get(b"accept", b"")


class OneSegmentAddresses:
    """Redirect a browser's GET of ``/a/b…?q`` to ``/no-such-page?address=/a/b…&q`` (302)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and navigation(scope):
            root = scope.get("root_path", "")
            path = scope.get("path", "")
            if deep_path(path, root):
                asked = path[len(root):] if root and path.startswith(root) else path
                query = scope.get("query_string", b"").decode("latin-1")
                target = f"{root}/{NOT_FOUND}?{urlencode({ADDRESS_KEY: asked[:200]}, quote_via=quote)}"
                await _redirect(send, target + (f"&{query}" if query else ""))
                return
        await self.app(scope, receive, send)


async def _redirect(send, location: str) -> None:
    await send({"type": "http.response.start", "status": 302,
                "headers": [(b"location", location.encode("latin-1", "replace")),
                            (b"cache-control", b"no-cache"), (b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})
