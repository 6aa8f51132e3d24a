"""The shape every page shares: title, one paragraph of why, any notice about the link or the data."""

from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from ui.serve import addresses, cache, internals
from ui.state import sidebar, upload
from ui.state import params
from ui.state.params import PAGE, Param, Settings
from ui.views import symbols
from ui.views.safe import md

APP = "Backprop Explainer"


class Lesson(NamedTuple):
    """One page of the lesson: its file, its title, its icon in the sidebar and its address."""

    path: str
    title: str
    icon: str
    url_path: str


# The pages in lesson order; the first is the default page. Each page but the last ends with a link
# to the next.
LESSON = (Lesson("app_pages/data.py", "Data", ":material/table_chart:", "overview"),
          Lesson("app_pages/network.py", "Network", ":material/hub:", "network"),
          Lesson("app_pages/backprop.py", "Backprop step by step", ":material/calculate:", "backprop"),
          Lesson("app_pages/training.py", "Training & results", ":material/monitoring:", "training"))
_CONTROLS = (*PAGE, "show", "weight")   # the pages' own controls (epoch, sample, step, …), not the sidebar's
_SHOWN = "_page_shown"             # the title of the page the last run drew
_KEPT = "_page_controls"           # title → that page's controls when the student left it


def header(title: str, intro: str) -> Settings:
    """Title and intro of a page (``app.py`` names the browser tab); returns the Settings of this run."""
    own_controls(title)
    s = sidebar.current()
    head = st.container(horizontal=True, vertical_alignment="bottom")
    head.title(title)
    # Keys "led-…": what a student following the lecturer on a phone does without (ui/browser/following.css).
    with head.container(key="led-symbols", width="content"), st.popover("Symbols", icon=":material/functions:"):
        st.markdown(symbols.markdown())
    if not s.projector:         # projected, the lecturer says it: its line goes to the lesson's first screen
        st.container(key="led-intro").markdown(intro)
    link_notices(sidebar.pending_notices(s.linked()))
    data_notices(s)
    return s


def data_notices(s: Settings) -> None:
    """What became of the student's data (a fallback, a reload), which upload is in use, and
    whether its size capped the epochs."""
    for kind, text in upload.pop_notices():
        (st.warning if kind == "warning" else st.info)(text, icon=":material/upload_file:")
    if s.data in ("income", "toy"):          # the app's own data: the sidebar says which
        return
    ds, p = cache.dataset(s), cache.prepared(s)
    rows = len(p.y_train) + len(p.y_test)
    st.info(f"Your data: {md(ds.title, 60)} — {rows:,} rows, {p.n_inputs} feature"
            f"{'s' if p.n_inputs != 1 else ''} → {md(s.target, 40)}.", icon=":material/upload_file:")
    allowed = cache.epochs_allowed(s)
    if allowed < s.epochs:
        st.info(f"With {rows:,} rows and hidden layers of {params.spell(s.hidden)} units, training runs {allowed:,} epochs instead "
                f"of {s.epochs:,}, so that a run stays within a couple of seconds.", icon=":material/timer:")


def link_notices(notes: list[str]) -> None:
    """All notices about the link in one box, one line each."""
    if notes:
        st.warning("  \n".join(notes), icon=":material/link_off:")


def page_param_notices(params: dict[str, Param], used: dict) -> None:
    """Notices for a page's own link parameters (e.g. ``epoch``, ``step``), shown like the others."""
    link_notices(sidebar.pending_notices(used, params))


def own_controls(title: str) -> None:
    """Each page keeps its own controls: an epoch picked on Training never moves Backprop's.

    The pages share widget keys (``epoch``, ``sample``, …) and so their link parameters. On
    arriving at a page from another, the controls the last page left behind are put away under
    its title and this page's are brought back, unless the link names them (a deep link, or a
    ``st.page_link`` that carries an epoch on purpose).
    """
    state = st.session_state
    last = state.get(_SHOWN)
    state[_SHOWN] = title
    linked = set(st.query_params)
    if sidebar.follows_lecturer():         # the lecturer's link alone, nothing this tab kept
        for key in _CONTROLS:
            if key not in linked:
                state.pop(key, None)
        return
    if last is None or last == title:
        return
    kept = state.setdefault(_KEPT, {})
    kept[last] = {k: state[k] for k in _CONTROLS if k in state}
    for key in _CONTROLS:
        if key not in linked:
            state.pop(key, None)
    for key, value in kept.get(title, {}).items():
        if key not in linked:
            state[key] = value


def following_note(rest: str) -> None:
    """Under a following student's page: what else the page holds, for when they explore."""
    st.divider()
    st.caption(f"You follow the lecturer's screen. This page also has {rest}: "
               "*Explore on my own*, at the top, opens them.")


def next_page() -> None:
    """The way on through the lesson: a link to the page after this one (none after the last)."""
    title = st.session_state.get(_SHOWN)
    titles = [lesson.title for lesson in LESSON]
    if title in titles[:-1]:
        after = LESSON[titles.index(title) + 1]
        st.divider()
        st.page_link(after.path, label=f"Next: {after.title}", icon=":material/arrow_forward:")


def pages() -> list[st.Page]:
    """What ``app.py`` hands ``st.navigation``: the lesson's pages, /data, and "no such page" when asked."""
    # The default page is served at / and keeps no name of its own: Streamlit never finds a page by
    # the default page's url_path, so /overview would open its "Page not found" dialog.
    shown = [st.Page(lesson.path, title=lesson.title, icon=lesson.icon, default=lesson is LESSON[0],
                     url_path="" if lesson is LESSON[0] else lesson.url_path) for lesson in LESSON]
    # /data and /overview show the Data page too (its own address is the app's root, /). Not
    # st.switch_page: that clears the query string, which the link-bound settings forbid.
    for alias in ("data", LESSON[0].url_path):
        shown.append(st.Page(LESSON[0].path, title=LESSON[0].title, url_path=alias, visibility="hidden"))
    # An unknown address (/nope) gets the app's own "no such page" with links, not Streamlit's dialog.
    if (missing := missing_page({p.url_path for p in shown})) is not None:
        shown.append(missing)
    return shown


# ----------------------------------------------------------------------------- no such page

_MISSING = "_missing_path"          # the unknown address this session asked for (its "no such page")


def asked_path() -> str:
    """The page name the browser asked for ("nope" for /nope; "" for the app's root)."""
    try:
        return internals.intended_page_name()
    except Exception:          # Streamlit's internals moved (tests/serve/test_internals.py): no special page
        return ""


def missing_page(known_paths) -> st.Page | None:
    """A hidden page at the address the browser asked for when no page has it, so that the app's own
    "no such page" shows there instead of Streamlit's error dialog and the main page.

    ``st.navigation`` answers an unknown ``/nope`` by running the default page and telling the
    browser, which opens a "Page not found" dialog. A page registered at ``nope`` is found instead.
    The session remembers the address: later reruns of that page ask for it by its hash.
    """
    asked = asked_path()
    if asked and asked not in known_paths:
        st.session_state[_MISSING] = asked
    missing = st.session_state.get(_MISSING)
    if not missing:
        return None
    try:
        return st.Page("app_pages/not_found.py", title="No such page", url_path=missing, visibility="hidden")
    except Exception:          # an address Streamlit cannot use as a page path: its own dialog then
        return None


def missing_address() -> str:
    """The unknown address the not-found page is showing, as the student typed it ("/nope").

    An address of two or more segments arrives redirected to /no-such-page?address=/a/b
    (``ui.serve.addresses``); the page shows the address asked for.
    """
    missing = st.session_state.get(_MISSING, "")
    asked = st.query_params.get(addresses.ADDRESS_KEY) if missing == addresses.NOT_FOUND else None
    return asked if asked and asked.startswith("/") else f"/{missing}"
