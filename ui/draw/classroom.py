"""Class mode on the page: the sidebar's Class section, the bar at the top of every page, and the
lecturer's questions.

- **Joining.** The sidebar's *Join a class* box is bound to ``?class=``, so the join link
  (``/?class=K7QF2M``) and every page after it carry the code. A code that names no live class is
  one sentence at the top of the page.
- **Leading.** *Start a class* makes one (``ClassStore.create``); the lecturer key goes to this
  browser once, in the component's data, and lives in its localStorage (``ui/browser/classroom.js``),
  never in a link. A browser that holds the key of the class in its address is the lecturer: it
  offers the key to the session (a trigger), which keeps it once the store has checked it, and sends
  every move itself to the lead route (``ui.serve.classes.actions``). Everything else follows.
- **The projector.** The lecturer's bar shows the join link as the lecturer's browser reaches the
  app, and its QR code (``ui.views.qr``).
- **Asking.** A page offers questions about what it shows (``offer``, from
  ``ui.views.class_questions``); the lecturer's part of the Class section poses one, closes it,
  reveals its answer, downloads the summary as CSV and ends the class. Students answer in the bar.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

import streamlit as st

from ui.serve import classes
from ui.serve.classes import ClassError
from ui.state.class_view import CLASS_KEY, CONTROLS
from ui.state.params import PAGE, spell
from ui.views import exports
from ui.views.class_questions import summary_frame
from ui.views.qr import qr_matrix, svg_path

_BROWSER = Path(__file__).resolve().parents[1] / "browser"
MOUNT_KEY = "class-mode"            # the component; hidden by the stylesheet when there is no class
LEAD_KEY = "class-lead"             # its second mount, the lecturer's page controls (hidden)
QUESTION_KEY = "class-question"     # the lecturer's choice of question
_KEYS = "_class_keys"               # session: {code: lecturer key} proved by this browser or made here
_CHECKED = "_class_checked"         # session: codes whose offered key the store refused
_NEW = "_class_new"                 # session: {code: key} of a class started here, until the browser holds it
_OFFERED = "_class_offered"         # session: the questions this run's page offers
_PROBLEM = "_class_problem"         # session: a callback's refusal, shown on the next run
_ENDED = "_class_ended"             # session: (code, key) of the class this session ended, for its summary
_EXPLORING = "_class_exploring"     # session: codes whose student explores on their own (the browser says)

_FOLLOWING_CSS = (_BROWSER / "following.css").read_text(encoding="utf-8")    # a following phone's page
_component = st.components.v2.component(
    "backprop_class", js=(_BROWSER / "classroom.js").read_text(encoding="utf-8"),
    css=(_BROWSER / "classroom.css").read_text(encoding="utf-8"))


class Membership(NamedTuple):
    """The class this page is in (None for none), whether this session leads it, and the one
    sentence to show when the link's class cannot be used."""

    code: str | None
    lecturer: bool
    problem: str | None
    box: object                       # the sidebar container the lecturer's controls go into
    following: bool = False           # a student's page led by the lecturer (not exploring on their own)


def sidebar() -> Membership:
    """The sidebar's Class section: join by code or start a class, leave it; what this page is in."""
    state = st.session_state
    with st.sidebar.expander("Class mode", expanded=bool(st.query_params.get(CLASS_KEY))):
        typed = st.text_input("Join a class", key=CLASS_KEY, bind="query-params", max_chars=16,
                              placeholder="its code, e.g. K7QF2M",
                              help="Type the code on the lecturer's screen: your page then follows theirs.")
        code, problem = _check(typed)
        if (refused := state.pop(_PROBLEM, None)) is not None:
            st.error(refused, icon=":material/error:")
        lecturer = code is not None and _leads(code)
        following = code is not None and not lecturer and code not in state.get(_EXPLORING, set())
        box = st.container()
        if typed.strip():
            if not lecturer:
                st.button("Leave the class", on_click=_leave, width="stretch")
        else:
            st.button("Start a class", on_click=_start, width="stretch", icon=":material/co_present:",
                      help="Your screen leads: students who join follow your page, settings and step, "
                           "and answer your questions on their devices.")
            _ended_summary()
    return Membership(code, lecturer, problem, box, following)


def _check(typed: str) -> tuple[str | None, str | None]:
    """(code, None) for a live class; (None, the sentence why not) otherwise; (None, None) for none."""
    if not typed.strip():
        return None, None
    code = classes.normal_code(typed)
    try:
        if code is None:
            raise classes.refusal("gone", typed)
        s = _store()
        if not s.exists(code):              # the usual case costs one look-up; the reason only when gone
            found = s.state(code)
            raise classes.refusal("ended" if found is not None and found.ended else "gone", code)
    except ClassError as e:
        return None, str(e)
    return code, None


def _store() -> classes.ClassStore:
    try:
        return classes.store()
    except ValueError as e:            # a malformed BACKPROP_CLASS_STORE
        raise classes.Unavailable(f"Class mode is not set up on this server: {e}") from None


def _leads(code: str) -> bool:
    key = st.session_state.get(_KEYS, {}).get(code)
    try:
        return key is not None and _store().is_lecturer(code, key)
    except ClassError:
        return False


def _start() -> None:
    try:
        code, key = _store().create()
    except ClassError as e:
        st.session_state[_PROBLEM] = str(e)
        return
    st.session_state.setdefault(_KEYS, {})[code] = key
    st.session_state.setdefault(_NEW, {})[code] = key
    st.session_state[CLASS_KEY] = code


def _leave() -> None:
    st.session_state[CLASS_KEY] = ""


def _key_offered() -> None:
    """The browser holds a lecturer key for the class in the address: keep it if the store agrees."""
    value = st.session_state.get(MOUNT_KEY)
    key = getattr(value, "key", None) if value is not None else None
    code = classes.normal_code(st.session_state.get(CLASS_KEY) or "")
    if code is None:
        return
    try:
        if isinstance(key, str) and _store().is_lecturer(code, key):
            st.session_state.setdefault(_KEYS, {})[code] = key
            st.session_state.get(_NEW, {}).pop(code, None)      # the browser holds the key it was given
            return
    except ClassError:
        pass
    st.session_state.setdefault(_CHECKED, set()).add(code)


def _follow_changed() -> None:
    """The student's browser follows the lecturer again (True) or explores on its own (False)."""
    value = st.session_state.get(MOUNT_KEY)
    follow = getattr(value, "follow", None) if value is not None else None
    code = classes.normal_code(st.session_state.get(CLASS_KEY) or "")
    if code is None or not isinstance(follow, bool):
        return
    exploring = st.session_state.setdefault(_EXPLORING, set())
    if follow:
        exploring.discard(code)
    else:
        exploring.add(code)


def banner(m: Membership, projector: bool) -> None:
    """At the top of the page: why the link's class cannot be used, or the class's bar."""
    if m.problem:
        st.error(m.problem, icon=":material/groups:")
    if m.code is None:                  # mounted all the same: the browser stops following (hidden)
        _component(key=MOUNT_KEY, on_key_change=_key_offered, on_follow_change=_follow_changed, data={"code": None})
        return
    new = st.session_state.get(_NEW, {})
    join = _join_link(m.code) if m.lecturer else None
    _component(key=MOUNT_KEY, on_key_change=_key_offered, on_follow_change=_follow_changed, data={
        "code": m.code, "lecturer": m.lecturer, "followingCss": None if m.lecturer else _FOLLOWING_CSS,
        "following": m.following,
        "checked": m.code in st.session_state.get(_CHECKED, set()),
        "newKey": new.get(m.code), "projector": projector, "join": join, "qr": _qr(join) if join else None})


def _join_link(code: str) -> str | None:
    """The join link as the lecturer's browser reaches the app (its root, and the code)."""
    seen = st.context.url                # may end with the page's own path: keep the server and base path
    if not seen:
        return None
    parts, base = urlsplit(seen), st.get_option("server.baseUrlPath").strip("/")
    return f"{parts.scheme}://{parts.netloc}/{base + '/' if base else ''}?{CLASS_KEY}={code}"


@functools.lru_cache(maxsize=64)
def _qr(link: str) -> dict | None:
    """The join link's QR code for the projector: an SVG path and its side in modules (quiet zone in)."""
    try:
        rows = qr_matrix(link)
    except ValueError:                 # an address too long for a code the back row can scan
        return None
    return {"path": svg_path(rows), "size": len(rows) + 8}


def offer(questions: list[dict]) -> None:
    """The questions this page can ask about what it shows now (the lecturer's panel lists them)."""
    st.session_state[_OFFERED] = list(questions)


def lecturer_panel(m: Membership, page_path: str) -> None:
    """The lecturer's controls, in the Class section: ask, close, reveal, summary, end; and the page's
    own controls for the lead."""
    offered = st.session_state.pop(_OFFERED, [])
    if not m.lecturer:
        return
    # A page's controls brought back on returning to it (ui.draw.page.own_controls) are shown but not
    # in the address; the browser adds them to what it leads with.
    controls = {k: spell(v) for k in (*PAGE, *CONTROLS) if (v := st.session_state.get(k)) is not None
                and not (k in PAGE and v == PAGE[k].default)}
    _component(key=LEAD_KEY, data={"page": page_path, "controls": controls})
    key = st.session_state[_KEYS][m.code]
    with m.box:
        st.caption(f"You lead the class **{m.code}**: students join with this code or the link at the top "
                   "of the page, and follow every page, setting and step you show.")
        try:
            current = _store().current_question(m.code)
            summary = _store().summary(m.code, key)
        except ClassError as e:
            st.error(str(e), icon=":material/error:")
            return
        if offered:
            pick = st.selectbox("Ask the class", range(len(offered)), key=QUESTION_KEY,
                                format_func=lambda i: offered[i]["text"])
            st.button("Ask", on_click=_act, args=("pose", m.code, offered[pick or 0]), width="stretch",
                      icon=":material/quiz:", help="Students answer on their devices; the counts show at the top.")
        else:
            st.caption("Questions are offered on *Backprop step by step* (about the step on screen) and on "
                       "*Training & results* (about the run).")
        if current is not None and current["state"] == "open":
            st.button("Close answers", on_click=_act, args=("close", m.code, current["id"]), width="stretch")
        if current is not None and current["state"] != "revealed":
            st.button("Reveal the answer", on_click=_act, args=("reveal", m.code, current["id"]), width="stretch")
        st.download_button("Class summary (CSV)", exports.to_csv(summary_frame(summary)), file_name=f"class-{m.code}.csv",
                           mime="text/csv", width="stretch", disabled=not summary, on_click="ignore")
        st.button("End the class", on_click=_act, args=("end", m.code, None), width="stretch", type="primary")


def _act(what: str, code: str, arg) -> None:
    """One lecturer action with this session's key; a refusal is shown on the next run."""
    key = st.session_state.get(_KEYS, {}).get(code)
    s = _store()
    try:
        if what == "pose":
            s.pose(code, key, arg)
        elif what == "close":
            s.close(code, key, arg)
        elif what == "reveal":
            s.reveal(code, key, arg)
        elif what == "end":
            s.end(code, key)
            st.session_state[_ENDED] = (code, key)
            st.session_state[CLASS_KEY] = ""
    except ClassError as e:
        st.session_state[_PROBLEM] = str(e)


def _ended_summary() -> None:
    """After *End the class*: its summary, while the store keeps it (ENDED_KEEP_S)."""
    ended = st.session_state.get(_ENDED)
    if ended is None:
        return
    code, key = ended
    try:
        summary = _store().summary(code, key)
    except ClassError:
        st.session_state.pop(_ENDED, None)
        return
    st.caption(f"The class {code} has ended. Its summary stays here for {classes.ENDED_KEEP_S // 60} minutes.")
    st.download_button("Class summary (CSV)", exports.to_csv(summary_frame(summary)), file_name=f"class-{code}.csv", mime="text/csv",
                       width="stretch", disabled=not summary, on_click="ignore", key="class-ended-summary")
