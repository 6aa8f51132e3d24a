"""The shared sidebar: one widget per row of ``ui.state.params.TABLE``, built in ``app.py``.

Every setting is a widget bound to the query string (``bind="query-params"``): the address bar is
always a share link, and the values survive page changes. Streamlit drops a link value a widget
cannot take and uses the default; on a session's first run we compare the link as it arrived with
what the widgets took and say so (``pending_notices``).
"""

from __future__ import annotations

from typing import Any, Mapping

import streamlit as st

from ui.state import params, toy, upload
from ui.state.class_view import followed_settings
from ui.state.params import BY_NAME, DEFAULTS, NO_LAYER, PRESETS, Param, Settings

_LINK_KEY = "_link_as_opened"      # the query string of the session's first run
_CURRENT = "_settings"             # the Settings value of this run, built by sidebar()
_LINK_SEEN = "_link_opened_with"   # values in use when the link was opened
_FOLLOWS = "_follows_lecturer"     # whether this run's page follows a lecturer (``following``)


def remember_link() -> None:
    """Keep the query string as the session first saw it, before any widget corrects it; then, if the
    link writes an allowed value some other way, write it the widgets' way and run again."""
    if _LINK_KEY not in st.session_state:
        qp = st.query_params
        st.session_state[_LINK_KEY] = {k: qp.get_all(k) for k in qp}
        tidy_link()


def tidy_link() -> None:
    """Every allowed value in the link, written the one way its widget reads it ("l2=1e0" → "l2=1").

    A widget bound to the URL reads its value there before this script can: a number box takes any
    float ("9e0", " 9 "), but a select-slider or a segmented control knows a value only by its label
    ("1", "0.05", "3"), so "l2=1e0" would fall back to the default. Only on a session's first run,
    before any widget is bound (a bound parameter cannot be written), and in one write; the rerun
    then seeds every widget from the tidy link. A value that is not allowed is left as it came, so
    that the widget refuses it and the notice quotes it. (A browser opening such a link is usually
    sent to the tidy one before the page loads, by ``ui.serve.addresses``, which leaves no extra
    Back-button entry; this covers the rest.)
    """
    qp = st.query_params
    written: dict = params.tidy({k: qp.get_all(k) for k in qp})
    inputs = BY_NAME["inputs"]
    given = qp.get_all(inputs.key)
    if len(given) == 1 and "," in given[0]:          # "x1sq,x2sq": the pills widget takes one value per input
        try:
            written[inputs.key] = list(inputs.parse(given[0]))
        except ValueError:
            pass
    if written:
        qp.update(written)
        st.rerun()


def pending_notices(used: Mapping[str, Any], table: Mapping[str, Param] = params.BY_KEY) -> list[str]:
    """``params.link_notices`` while the values in use are still the ones the link opened with.

    Once the student changes one of these settings the notices have done their job and go away.
    """
    opened_with = st.session_state.setdefault(_LINK_SEEN, {})
    group = tuple(sorted(table))
    now = {k: used.get(k) for k in table}
    opened_with.setdefault(group, now)
    if opened_with[group] != now:
        return []
    return params.link_notices(st.session_state.get(_LINK_KEY, {}), used, table)


# Whole numbers are float-typed number inputs (see whole_number_input); Reset and presets must
# write them as floats, and the hidden layers as the text their box holds.
_FLOAT_TYPED = ("seed", "epochs", "split", "batch", "points", "dseed")
_HIDDEN_OK = "_hidden_ok"          # the last hidden-layer text that could be used
_HIDDEN_FIX = "_hidden_fix"        # the box holds text from a link that cannot be used


def _widget_value(p: Param, value):
    if p.kind == "layers":
        return params.spell(value)
    if p.key in _FLOAT_TYPED and value is not None:
        return float(value)
    if p.kind == "inputs":
        return list(value)
    return value


def _apply(values: Mapping[str, Any]) -> None:
    """Set the model settings to ``values`` (Python names), the others to their defaults (the task's)."""
    task = values.get("task", BY_NAME["task"].default)
    for name in params.MODEL:
        p = BY_NAME[name]
        st.session_state[p.key] = _widget_value(p, values.get(name, params.default(name, task)))
    st.session_state[_HIDDEN_OK] = st.session_state[BY_NAME["hidden"].key]


def _apply_preset() -> None:
    name = st.session_state.get("preset")
    if name in PRESETS:
        _apply(PRESETS[name])
        st.toast(f"Preset applied: {name}")
    st.session_state["preset"] = None


def whole_number_input(where, p: Param) -> int:
    """A number input for the whole-number parameter ``p``, bound to its URL key.

    Float-typed (shown with no decimals) on purpose: Streamlit 1.67 seeds an int-typed bound
    number_input from the URL with ``int(float(text))``, which raises OverflowError for ``inf`` or
    a 400-digit number — a traceback from a mangled link. The float type checks ``isfinite`` and
    range and falls back instead.
    """
    value = where.number_input(p.label, float(p.lo), float(p.hi), float(p.default), step=float(p.step),
                               format="%.0f", key=p.key, bind="query-params", help=p.help)
    return int(value)


def _layers(text: str, classifies: bool) -> tuple[int, ...]:
    """The hidden layers ``text`` stands for; ValueError when the task cannot use them (no hidden
    layer is for classification only)."""
    layers = BY_NAME["hidden"].parse(text)
    if layers == NO_LAYER and not classifies:
        raise ValueError(text)
    return layers


def _check_hidden() -> None:
    """A hidden-layer text that cannot be used goes back to the last one that could, with a word why."""
    p = BY_NAME["hidden"]
    text = st.session_state.get(p.key, "")
    classifies = st.session_state.get(BY_NAME["task"].key) == "classification"
    try:
        st.session_state[_HIDDEN_OK] = params.spell(_layers(text, classifies))
        st.session_state[p.key] = st.session_state[_HIDDEN_OK]
    except (ValueError, TypeError):
        kept = _kept_layers(classifies)
        st.session_state[p.key] = kept
        rule = p.rule if classifies else p.rule.replace(", or 0 for no hidden layer (classification)", "")
        st.toast(f"“{params.safe_snippet(text)}” cannot be used: hidden layers must be {rule}. "
                 f"Kept {kept}.", icon=":material/error:")


def _kept_layers(classifies: bool) -> str:
    """The last hidden layers that could be used, if the task can still use them; else the default."""
    kept = st.session_state.get(_HIDDEN_OK, params.spell(BY_NAME["hidden"].default))
    try:
        return params.spell(_layers(kept, classifies))
    except (ValueError, TypeError):
        return params.spell(BY_NAME["hidden"].default)


def hidden_input(where, p: Param, classifies: bool = False) -> tuple[int, ...]:
    """The hidden layers as a text box bound to ``?hidden=`` ("3", "8,4", "0" for none when
    classifying); a link the box cannot use falls back to the default, with the usual notice."""
    # A text box takes any text from a link, and on a session's first run the link decides what the
    # box shows. Text the app cannot use is replaced in a second run at once, so the box never shows
    # layers the app is not using (pending_notices says what was wrong with the link).
    if st.session_state.pop(_HIDDEN_FIX, False):
        st.session_state[p.key] = _kept_layers(classifies)
    text = where.text_input(p.label, params.spell(p.default), key=p.key, bind="query-params",
                            on_change=_check_hidden, help=p.help, max_chars=20)
    try:
        return _layers(text, classifies)
    except (ValueError, TypeError):
        st.session_state[_HIDDEN_FIX] = True
        st.rerun()


def batch_input(where, p: Param) -> int | None:
    """The batch size; empty means every training row (None)."""
    value = where.number_input(p.label, float(p.lo), float(p.hi), None, step=1.0, format="%.0f", key=p.key,
                               bind="query-params", help=p.help, placeholder="all rows (full batch)")
    return None if value is None else int(value)


def _choice(where, p: Param, default=None, **kw):
    return where.select_slider(p.label, p.choices, p.default if default is None else default, key=p.key,
                               bind="query-params", format_func=params.spell, help=p.help, **kw)


def _task_changed() -> None:
    """The new task brings its own default η, unless the student had chosen another η."""
    eta, old = BY_NAME["eta"].key, current().task
    new = st.session_state.get(BY_NAME["task"].key, old)
    if new != old and st.session_state.get(eta) == params.default("eta", old):
        st.session_state[eta] = params.default("eta", new)


def sidebar(where=None) -> Settings:
    """Draw the shared sidebar controls (in ``where``, the sidebar by default) and return the Settings
    they hold."""
    remember_link()
    upload.apply_pending()           # a split seed or test fraction the upload could not use goes back
    sb = st.sidebar if where is None else where
    sb.selectbox("Presets", list(PRESETS), index=None, key="preset", on_change=_apply_preset,
                 placeholder="Choose a preset…",
                 help="Load a prepared set of settings; everything else returns to its default.")
    p = BY_NAME
    task = p["task"]
    values: dict[str, Any] = {"task": sb.radio(task.label, task.choices, index=0, key=task.key, horizontal=True,
                                               bind="query-params", help=task.help, on_change=_task_changed)}
    classifies = values["task"] == "classification"
    data_box = sb.container()          # filled below, once the split settings it needs exist
    values["seed"] = whole_number_input(sb, p["seed"])
    values["hidden"] = hidden_input(sb, p["hidden"], classifies)
    values["eta"] = float(_choice(sb, p["eta"], params.default("eta", values["task"])))
    values["epochs"] = whole_number_input(sb, p["epochs"])
    with sb.expander("Mini-batches and weight decay"):
        values["batch_size"] = batch_input(st, p["batch_size"])
        values["weight_decay"] = float(_choice(st, p["weight_decay"]))
    with sb.expander("Advanced"):
        act = p["activation"]
        values["activation"] = st.radio(act.label, act.choices, index=0, key=act.key, bind="query-params",
                                        horizontal=True, help=act.help)
        values["split"] = whole_number_input(st, p["split"])
        values["test"] = float(_choice(st, p["test"]))
    choice = upload.data_section(data_box, values["test"], values["split"], values["task"])
    values.update({name: BY_NAME[name].default for name in params.TOY})
    if classifies and choice.data == "income":        # no upload in use: a toy data set
        with data_box:
            values.update(toy.controls(st, whole_number_input, _choice))
        toy.check(values, upload.PENDING, upload.notice)
        choice = upload.DataChoice("toy", toy.derived.columns(values["inputs"]), toy.derived.LABEL)
    proj = p["projector"]
    values["projector"] = bool(sb.toggle(proj.label, proj.default, key=proj.key, bind="query-params",
                                         help=proj.help))
    sb.button("Reset to defaults", on_click=_apply, args=({},), width="stretch",
              help="Every setting back to its default (projector mode stays as it is).")
    s = Settings(**values, **choice._asdict())
    st.session_state[_CURRENT] = s
    st.session_state[_FOLLOWS] = False
    return s


def following(where) -> Settings:
    """A following student's settings: the lecturer's, from the link (``class_view.followed_settings``);
    in ``where`` one line says so instead of the controls, which come back with *Explore on my own*."""
    qp = st.query_params
    s = followed_settings({k: qp.get_all(k) for k in qp})
    where.caption("The settings follow the lecturer's. *Explore on my own*, at the top of the page, "
                  "brings back every control.")
    st.session_state[_CURRENT] = s
    st.session_state[_FOLLOWS] = True
    return s


def follows_lecturer() -> bool:
    """Whether this run's page follows a lecturer: it shows the moment the lecturer leads with, from
    the link alone, and leaves out what only a reader exploring on their own uses."""
    return bool(st.session_state.get(_FOLLOWS, False))


def current() -> Settings:
    """The Settings the sidebar built for this run."""
    return st.session_state.get(_CURRENT, DEFAULTS)
