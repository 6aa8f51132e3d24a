"""Drawing that every student shares: done once per distinct input, replayed after that.

Most of a rerun's server time goes into turning tables and chart data into Arrow bytes and
protobuf messages (docs/architecture.md, "Caching and replay"). In a lecture most students look at
the same settings, so most of that work is repeated. A function decorated with ``shared`` draws with
``st.*`` calls and returns nothing. With the bundled data set, ``st.cache_resource`` records the
elements it draws the first time it runs with given arguments; every later call with equal
arguments, from any session, sends the recorded elements again without running the function.
(``cache_resource``, not ``cache_data``: the recording is kept as it is instead of pickled and
unpickled on every call; a replay copies each message, so no session changes the recording.)

A session's own upload is never put in this cross-session cache: with an upload the function just
runs. So its arguments must decide everything it draws (pass the ``Settings`` when the function
reads page state), and it must not create widgets, which cannot be replayed.
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import inspect
import pickle
from typing import Callable

import streamlit as st


# True while a shared function draws for recording. A shared function called from inside another
# then just draws: Streamlit places the elements of a cached function nested in another cached
# function by the inner function's containers only, so on replay an inner table drawn into the
# outer function's column would land outside that column. The outer recording covers both.
_recording = contextvars.ContextVar("replay_recording", default=False)


def shared(max_entries: int) -> Callable:
    """Decorator: record the function's elements per argument values, for at most ``max_entries``
    distinct argument values at a time (least recently used dropped first).

    Arguments whose parameter name starts with ``_`` are not part of the key (Streamlit's rule).
    The key is a SHA-256 of the function's file, name and source and of the other arguments
    pickled: Streamlit's own hashing of a small DataFrame or a list of labels costs milliseconds,
    more than replaying the elements. (Page scripts all run as ``__main__``, and an edited function
    must not replay what its old source drew.)

    Whether to share is decided by the data set in the sidebar (``sidebar.current()``), so a
    shared function must not be called from the sidebar itself, before that is known.
    """

    def decorate(draw: Callable[..., None]) -> Callable[..., None]:
        cached, names, identity = _cache_for(draw, max_entries)

        @functools.wraps(draw)
        def run(*args, **kwargs) -> None:
            from ui.state import sidebar      # late: the sidebar imports modules that use this one

            if _recording.get() or sidebar.current().data != "income":
                return draw(*args, **kwargs)
            keyed = (identity, [a for name, a in zip(names, args) if not name.startswith("_")],
                     sorted((k, v) for k, v in kwargs.items() if not k.startswith("_")))
            # By keyword: for each positional argument Streamlit's cache reads the function's
            # signature again (inspect.signature): four times per replay, 40 times per Backprop rerun.
            cached(digest=hashlib.sha256(pickle.dumps(keyed, protocol=5)).hexdigest(), _draw=draw, _args=args,
                   _kwargs=kwargs)

        return run

    return decorate


# One cache per drawing function's code. A function defined in a page script is defined again on
# every rerun, but Streamlit keeps the page's compiled code, so its code object stays the same:
# the signature, source and cache are worked out once, not on every rerun.
_CACHES: dict = {}


def _cache_for(draw: Callable[..., None], max_entries: int):
    """(cached replayer, parameter names, identity) for ``draw``'s code."""
    code = draw.__code__
    if code not in _CACHES:
        try:
            source = inspect.getsource(draw)
        except (OSError, TypeError):
            source = code.co_code
        identity = (code.co_filename, draw.__qualname__, source)

        def replayed(digest: str, _draw: Callable[..., None], _args: tuple, _kwargs: dict) -> None:
            token = _recording.set(True)
            try:
                _draw(*_args, **_kwargs)
            finally:
                _recording.reset(token)

        # Streamlit names a function's cache by module and name: one cache per drawing function.
        # (Not functools.wraps: Streamlit would then read ``draw``'s parameter names, not these.)
        replayed.__module__, replayed.__qualname__ = draw.__module__, draw.__qualname__
        cached = st.cache_resource(max_entries=max_entries, show_spinner=False)(replayed)
        _CACHES[code] = (cached, list(inspect.signature(draw).parameters), identity)
    return _CACHES[code]
