"""Every address a browser opens answers with the app: one of its pages, or its own "No such page".

Streamlit answers any path it does not serve with its index.html, and the page that loads decides
what to show from the address. That works for one plain segment (``/nope``): the app's script
runs and ``app.py`` shows its "No such page" there. It goes wrong for other addresses, in two ways:

- **A white page.** index.html loads its scripts from relative paths (``./static/js/…``). Below a
  second segment (``/network/extra``, ``/a/b/c.f``, ``/~/+``) they resolve to
  ``/network/static/js/…``, which is answered with index.html again; the browser refuses HTML as a
  script and nothing ever runs. The same happens when the address is not valid percent-encoding
  (``/%E0``): Streamlit's page code cannot decode it and stops before it connects.
- **Streamlit's "Page not found" dialog.** A segment that decodes to a name no page can have
  (``/network%2Fextra.js`` is the name ``network/extra.js``; ``/%20`` is a blank name) reaches
  ``st.navigation``, which runs the main page under its dialog.

This ASGI middleware, given to ``st.App`` in ``app.py``, sends a browser that opens such an
address to ``/no-such-page`` with the address in ``?address=`` (and the link's settings after it),
where the app shows its sentence and its links. It leaves alone every request that is not a
browser opening a page, and every path Streamlit itself serves (its API under ``/_stcore/``, its
files under ``/static/``, ``/media/`` and ``/component/``: ``internals.streamlit_serves``).

It also writes the link's settings the widgets' way before the page loads (``?l2=1e0`` →
``?l2=1``, ``params.tidy``). The page would do it on its first run too, but as a new entry in the
browser's history, and the Back button would then reopen the untidy link.
"""

from __future__ import annotations

import re
from urllib.parse import quote, unquote, unquote_plus, unquote_to_bytes, urlencode

from ui.state import params

NOT_FOUND = "no-such-page"       # an address no page has: app.py shows its "no such page" there
ADDRESS_KEY = "address"          # ?address=/network/extra, the address asked for
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")    # a "%" that decodeURIComponent refuses


def page_name(below_root: str) -> str | None:
    """The page name a browser's Streamlit asks for at ``below_root`` (the path as the browser
    sends it, percent-encoded, below the app's root), or None when no page can have that name.

    Streamlit's page code takes the address without its first and last "/" and decodes it
    (``decodeURIComponent``); ``st.Page`` takes a ``url_path`` without "/" and without spaces at
    either end. ``""`` is the root.
    """
    raw = below_root[1:] if below_root.startswith("/") else below_root
    raw = raw[:-1] if raw.endswith("/") else raw
    if "/" in raw or _BAD_ESCAPE.search(raw):
        return None
    try:
        name = unquote_to_bytes(raw).decode("utf-8")
    except UnicodeDecodeError:
        return None
    if name == "":
        return name
    if "/" in name or "\\" in name or name != name.strip() or not name.isprintable():
        return None
    return name


def navigation(scope) -> bool:
    """A browser opening an address (it asks for HTML), not a script's fetch or an asset."""
    headers = dict(scope.get("headers") or [])
    return scope.get("method") in ("GET", "HEAD") and b"text/html" in headers.get(b"accept", b"")


def below_root(scope, base: str = "") -> str:
    """The path the browser asked for, percent-encoded as it sent it, below the app's root: the
    mount point (``root_path``) and Streamlit's ``server.baseUrlPath`` (``base``, "/course")."""
    raw = scope.get("raw_path")
    path = raw.decode("latin-1") if raw else quote(scope.get("path", ""), safe="/%:@!$&'()*+,;=~")
    for prefix in (scope.get("root_path", ""), base):
        if prefix and (path == prefix or path.startswith(prefix + "/")):
            path = path[len(prefix):]
    return path or "/"


def carried_query(query: str) -> str:
    """The link's own parameters, to carry to /no-such-page (without an ``address`` of its own)."""
    keep = [part for part in query.split("&")
            if part and unquote(part.split("=", 1)[0].replace("+", " ")) != ADDRESS_KEY]
    return "&".join(keep)


def tidy_query(query: str) -> str:
    """``query`` with each setting's allowed value written the way its widget reads it; every other
    part exactly as it came."""
    parts = [part.partition("=") for part in query.split("&") if part]
    link: dict[str, list[str]] = {}
    for key, _, value in parts:
        link.setdefault(unquote_plus(key), []).append(unquote_plus(value))
    written = params.tidy(link)
    if not written:
        return query
    return "&".join(f"{key}={quote(written[unquote_plus(key)], safe=',')}" if unquote_plus(key) in written
                    else key + eq + value for key, eq, value in parts)


class AppAddresses:
    """Redirect a browser opening an address no page can answer to ``/no-such-page?address=…`` (302).

    ``served(scope)`` says whether Streamlit answers the path itself (the default asks
    ``ui.serve.internals.streamlit_serves``); ``base`` is Streamlit's ``server.baseUrlPath``.
    """

    def __init__(self, app, served=None, base: str | None = None):
        self.app = app
        self.served = served
        self.base = base

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and navigation(scope):
            base = self._base()
            asked = below_root(scope, base)
            root = scope.get("root_path", "") + base
            query = scope.get("query_string", b"").decode("latin-1")
            tidy = tidy_query(query)
            if page_name(asked) is None:
                if not self._served(scope):
                    shown = unquote(asked, errors="replace")[:200]
                    target = f"{root}/{NOT_FOUND}?{urlencode({ADDRESS_KEY: shown}, quote_via=quote)}"
                    carried = carried_query(tidy)
                    await _redirect(send, target + (f"&{carried}" if carried else ""))
                    return
            elif tidy != query:
                await _redirect(send, f"{root}{asked}?{tidy}")
                return
        await self.app(scope, receive, send)

    def _base(self) -> str:
        if self.base is None:
            import streamlit as st
            name = (st.get_option("server.baseUrlPath") or "").strip("/")
            self.base = f"/{name}" if name else ""
        return self.base

    def _served(self, scope) -> bool:
        if self.served is None:
            from ui.serve.internals import streamlit_serves
            self.served = streamlit_serves
        return self.served(scope)


async def _redirect(send, location: str) -> None:
    await send({"type": "http.response.start", "status": 302,
                "headers": [(b"location", location.encode("latin-1", "replace")),
                            (b"cache-control", b"no-cache"), (b"content-length", b"0")]})
    await send({"type": "http.response.body", "body": b""})
