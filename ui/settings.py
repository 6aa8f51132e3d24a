"""One immutable ``Settings`` value, the sidebar that builds it, and the link that carries it.

Every setting is a sidebar widget created in ``app.py`` before the page runs, bound to the query
string (``bind="query-params"``): the address bar is always a share link, and the values survive
page changes. Streamlit drops a link value a widget cannot take and uses the default; on a
session's first run we compare the link as it arrived with what the widgets took and say so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable, Mapping, NamedTuple

import streamlit as st

from core import activations, training
from ui import upload

LR_CHOICES: tuple[float, ...] = (0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05,
                                 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)
SEED_MAX = 2**32 - 1
TEST_SIZES: tuple[float, ...] = tuple(round(0.1 * i, 1) for i in range(2, 9))
_LINK_KEY = "_link_as_opened"      # the query string of the session's first run
_CURRENT = "_settings"                  # the Settings value of this run, built by sidebar()
_LINK_SEEN = "_link_opened_with"       # values in use when the link was opened


@dataclass(frozen=True)
class Settings:
    """Everything that decides what the pages compute. Field names are the URL parameter names."""

    seed: int = 321
    hidden: int = 3
    lr: float = 0.05
    epochs: int = 1000
    act: str = "sigmoid"
    split: int = 42
    test: float = 0.5
    projector: bool = False
    data: str = "income"                  # or an uploaded file's key (never in the URL)
    features: tuple[str, ...] = ("Education", "Seniority")
    target: str = "Income"
    drop: bool = False                    # drop rows with missing values in the chosen columns

    @property
    def eta(self) -> float:
        return self.lr

    def training_args(self) -> dict[str, Any]:
        """The scalars that decide a training run on the bundled data (the cache key)."""
        return dict(split=self.split, test=self.test, seed=self.seed, hidden=self.hidden,
                    lr=self.lr, epochs=self.epochs, act=self.act)

    def data_key(self) -> tuple:
        """What decides the prepared data."""
        return (self.data, self.features, self.target, self.drop, self.split, self.test)


DEFAULTS = Settings()
_MODEL_KEYS = ("seed", "hidden", "lr", "epochs", "act", "split", "test")

PRESETS: dict[str, dict[str, Any]] = {
    "Lecture demo — first step: seed 9, η 0.01": dict(seed=9, lr=0.01),
    "Lecture demo — training: seed 321, η 0.05, 1000 epochs": dict(seed=321, lr=0.05, epochs=1000),
    "Learning rate too high (η 5)": dict(lr=5.0),
    "One hidden unit": dict(hidden=1),
    "Wide network (16 units)": dict(hidden=16),
}


class Param(NamedTuple):
    """How to read one URL parameter strictly, and the rule to quote when it is broken."""

    parse: Callable[[str], Any]
    rule: str


def _int_in(lo: int, hi: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = int(text.strip())
        if not lo <= value <= hi:
            raise ValueError
        return value
    return parse


def _choice(options) -> Callable[[str], Any]:
    def parse(text: str):
        for option in options:
            if str(option) == text.strip() or _same_number(option, text):
                return option
        raise ValueError
    return parse


def _same_number(option, text: str) -> bool:
    try:
        return isinstance(option, float) and math.isclose(float(text), option, rel_tol=1e-12)
    except ValueError:
        return False


def _bool(text: str) -> bool:
    if text.strip().lower() in ("true", "false"):
        return text.strip().lower() == "true"
    raise ValueError


PARAMS: dict[str, Param] = {
    "seed": Param(_int_in(0, SEED_MAX), f"a whole number from 0 to {SEED_MAX:,}"),
    "hidden": Param(_int_in(1, training.MAX_HIDDEN), f"a whole number from 1 to {training.MAX_HIDDEN}"),
    "lr": Param(_choice(LR_CHOICES), "one of " + ", ".join(f"{v:g}" for v in LR_CHOICES)),
    "epochs": Param(_int_in(1, training.MAX_EPOCHS), f"a whole number from 1 to {training.MAX_EPOCHS:,}"),
    "act": Param(_choice(activations.NAMES), "one of " + ", ".join(activations.NAMES)),
    "split": Param(_int_in(0, SEED_MAX), f"a whole number from 0 to {SEED_MAX:,}"),
    "test": Param(_choice(TEST_SIZES), "one of " + ", ".join(f"{v:g}" for v in TEST_SIZES)),
    "projector": Param(_bool, "true or false"),
}


def link_notices(link: Mapping[str, list[str]], used: Mapping[str, Any],
                 params: Mapping[str, Param] = PARAMS) -> list[str]:
    """One sentence per parameter of ``link`` that the app could not take as it was.

    ``link`` maps names to every value the URL gave (as ``st.query_params.get_all``); ``used``
    maps names to the value in effect. Unknown parameters are ignored (chat apps add their own).
    """
    notes = []
    for key, param in params.items():
        values = link.get(key)
        if not values:
            continue
        text = values[-1]
        shown = safe_snippet(text)
        try:
            value = param.parse(text)
        except (ValueError, TypeError, OverflowError):
            value = None
        if value is None or value != used.get(key):
            notes.append(f"The link's `{key}={shown}` is not allowed ({key} must be {param.rule}); "
                         f"using {_fmt(used.get(key))}.")
        elif len(values) > 1:
            notes.append(f"The link gives `{key}` {len(values)} times; using the last one, {_fmt(value)}.")
    return notes


def safe_snippet(text: str, limit: int = 24) -> str:
    """A URL value cut short and stripped of anything Markdown could act on, for an inline code span."""
    cleaned = "".join(ch if ch.isprintable() and ch not in "`\\" else "?" for ch in str(text))
    return cleaned[:limit] + ("…" if len(cleaned) > limit else "")


def _fmt(value) -> str:
    """A value as the link spells it (0.05, 321, false)."""
    if isinstance(value, bool):
        return str(value).lower()
    return f"{value:g}" if isinstance(value, float) else str(value)


# ----------------------------------------------------------------------------- Streamlit side


def remember_link() -> None:
    """Keep the query string as the session first saw it, before any widget corrects it."""
    if _LINK_KEY not in st.session_state:
        qp = st.query_params
        st.session_state[_LINK_KEY] = {k: qp.get_all(k) for k in qp}


def opened_link() -> dict[str, list[str]]:
    """The query string of the session's first run (parameter → all its values)."""
    return st.session_state.get(_LINK_KEY, {})


def pending_notices(used: Mapping[str, Any], params: Mapping[str, Param] = PARAMS) -> list[str]:
    """``link_notices`` for ``params`` while the values in use are still the ones the link opened.

    Once the student changes one of these settings the notices have done their job and go away.
    """
    opened_with = st.session_state.setdefault(_LINK_SEEN, {})
    group = tuple(sorted(params))
    now = {k: used.get(k) for k in params}
    opened_with.setdefault(group, now)
    if opened_with[group] != now:
        return []
    return link_notices(opened_link(), used, params)


_FLOAT_TYPED = ("seed", "epochs", "split")      # see whole_number_input


def _apply(values: Mapping[str, Any]) -> None:
    for key in _MODEL_KEYS:
        value = values.get(key, getattr(DEFAULTS, key))
        st.session_state[key] = float(value) if key in _FLOAT_TYPED else value


def _apply_preset() -> None:
    name = st.session_state.get("preset")
    if name in PRESETS:
        _apply(PRESETS[name])
        st.toast(f"Preset applied: {name}")
    st.session_state["preset"] = None


def whole_number_input(where, label: str, lo: int, hi: int, default: int, step: int, key: str,
                       help: str) -> int:
    """A number input for whole numbers, bound to the URL parameter ``key``.

    Float-typed (shown with no decimals) on purpose: Streamlit 1.67 seeds an int-typed bound number_input from the URL with
    ``int(float(text))``, which raises OverflowError for ``inf`` or a 400-digit number — a traceback
    from a mangled link. The float type checks ``isfinite`` and range and falls back instead.
    """
    value = where.number_input(label, float(lo), float(hi), float(default), step=float(step),
                               format="%.0f", key=key, bind="query-params", help=help)
    return int(value)


def sidebar() -> Settings:
    """Draw the shared sidebar controls and return the Settings they hold."""
    remember_link()
    sb = st.sidebar
    sb.selectbox("Presets", list(PRESETS), index=None, key="preset", on_change=_apply_preset,
                 placeholder="Choose a preset…",
                 help="Load a prepared set of settings; everything else returns to its default.")
    data_box = sb.container()          # filled below, once the split settings it needs exist
    seed = whole_number_input(sb, "Seed (initial weights)", 0, SEED_MAX, DEFAULTS.seed, 1, "seed",
                              "Seeds the random initial weights; the same seed gives the same run.")
    hidden = sb.slider("Hidden units N_H", 1, training.MAX_HIDDEN, DEFAULTS.hidden, key="hidden",
                       bind="query-params", help="Sigmoid (or tanh/ReLU) units in the hidden layer.")
    lr = sb.select_slider("Learning rate η", LR_CHOICES, DEFAULTS.lr, key="lr", bind="query-params",
                          format_func=lambda v: f"{v:g}",
                          help="Step size of gradient descent: W ← W − η·∂L/∂W. Too large and the loss explodes.")
    epochs = whole_number_input(sb, "Epochs", 1, training.MAX_EPOCHS, DEFAULTS.epochs, 100, "epochs",
                                "Full passes over the training rows, one weight update each.")
    with sb.expander("Advanced"):
        act = st.radio("Activation g", activations.NAMES, index=0, key="act", bind="query-params",
                       horizontal=True, help="The hidden units' nonlinearity; the output stays linear.")
        split = whole_number_input(st, "Split seed", 0, SEED_MAX, DEFAULTS.split, 1, "split",
                                   "random_state of train_test_split: which rows are training rows.")
        test = st.select_slider("Test fraction", TEST_SIZES, DEFAULTS.test, key="test",
                                bind="query-params",
                                help="Share of the rows held out to test the trained network.")
    choice = upload.data_section(data_box, float(test), int(split))
    projector = sb.toggle("Projector mode", DEFAULTS.projector, key="projector", bind="query-params",
                          help="Larger text, thicker lines and bigger points for a lecture hall.")
    sb.button("Reset to defaults", on_click=_apply, args=({},), width="stretch",
              help="Every setting back to its default (projector mode stays as it is).")
    s = Settings(seed=seed, hidden=int(hidden), lr=float(lr), epochs=epochs, act=act,
                 split=split, test=float(test), projector=bool(projector), **choice._asdict())
    st.session_state[_CURRENT] = s
    return s


def current() -> Settings:
    """The Settings the sidebar built for this run."""
    return st.session_state.get(_CURRENT, DEFAULTS)
