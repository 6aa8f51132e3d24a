"""Every setting the app has, declared once: name, URL key, type, default, range, label and help.

Pure (no Streamlit). From ``TABLE`` derive: the ``Settings`` value the pages receive, the strict
parsing of a link, the one-line notices about a link the app could not use, the presets, and (in
``ui.state.sidebar``) the widgets. One name per idea: the Python name is the name in the equations
(``eta`` for η); the URL key is the short one a teacher types (``lr``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace
from typing import Any, Mapping

from core import activations, training
from core.data import FEATURES, MAX_ROWS, TARGET, TASKS
from core.toy import MAX_POINTS, MIN_POINTS, TOY_SETS
from ui.views.derived import DERIVED, LABEL, columns

SEED_MAX = 2**32 - 1
ETA_CHOICES: tuple[float, ...] = (0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05,
                                  0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)
TEST_SIZES: tuple[float, ...] = tuple(round(0.1 * i, 1) for i in range(2, 9))
DECAY_CHOICES: tuple[float, ...] = (0.0, 0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0)
NOISE_CHOICES: tuple[float, ...] = tuple(round(0.05 * i, 2) for i in range(11))      # 0 … 0.5
NO_LAYER = ()              # hidden layers: none (logistic or softmax regression), classification only


@dataclass(frozen=True)
class Param:
    """One setting. ``kind`` is "int", "choice", "bool" or "layers" (1–3 whole numbers, "8,4");
    ``lo``/``hi`` bound an int (and each layer's width), ``choices`` a choice. "inputs" is any subset of
    ``choices`` (the derived inputs), written "x1sq,x2sq" or "none"."""

    name: str                      # the Python name (Settings field)
    key: str                       # the URL parameter and widget key
    kind: str
    default: Any
    label: str = ""
    help: str = ""
    lo: int = 0
    hi: int = 0
    choices: tuple = ()
    step: int = 1

    @property
    def rule(self) -> str:
        """What the link may hold, as a sentence fragment ("a whole number from 1 to 32")."""
        if self.kind == "int":
            return f"a whole number from {self.lo:,} to {self.hi:,}"
        if self.kind == "bool":
            return "true or false"
        if self.kind == "layers":
            return (f"1 to {training.MAX_LAYERS} whole numbers from {self.lo} to {self.hi}, one per hidden "
                    "layer, separated by commas (3, or 8,4), or 0 for no hidden layer (classification)")
        if self.kind == "inputs":
            return "none, or some of " + ", ".join(self.choices) + " separated by commas"
        return "one of " + ", ".join(spell(c) for c in self.choices)

    def parse(self, text: str) -> Any:
        """The value ``text`` stands for; ValueError when the link cannot hold it."""
        text = str(text).strip()
        if self.kind == "int":
            value = _whole(text)
            if not self.lo <= value <= self.hi:
                raise ValueError(text)
            return value
        if self.kind == "bool":
            if text.lower() not in ("true", "false"):
                raise ValueError(text)
            return text.lower() == "true"
        if self.kind == "inputs":
            names = [part.strip() for part in text.split(",")]
            if text.lower() == "none":
                return ()
            if not all(n in self.choices for n in names) or len(set(names)) != len(names):
                raise ValueError(text)
            return tuple(c for c in self.choices if c in names)          # the table's order
        if self.kind == "layers":
            if not text or ("," not in text and _whole(text) == 0):      # "", "0", "0.0": no hidden layer
                return NO_LAYER
            widths = tuple(_whole(part) for part in text.split(","))    # " 4" and "4.0" are 4
            if not 1 <= len(widths) <= training.MAX_LAYERS or not all(self.lo <= w <= self.hi for w in widths):
                raise ValueError(text)
            return widths
        for option in self.choices:
            if spell(option) == text or str(option) == text:
                return option
        return _nearest_number(self.choices, text)

    def from_link(self, given) -> Any:
        """What the last of the link's texts ``given`` for this setting stands for; None when the link
        has none or holds one this setting cannot take (its widget would show its default)."""
        try:
            return self.parse(given[-1]) if given else None
        except ValueError:
            return None

    def show(self, value) -> str:
        """``value`` as a sentence spells it ("none" for no derived input, else as the link does)."""
        return "none" if self.kind == "inputs" and not value else spell(value)

    def within(self, lo: int | None = None, hi: int | None = None) -> "Param":
        """The same parameter with a range that depends on the page (e.g. samples 1 … N)."""
        return replace(self, lo=self.lo if lo is None else lo, hi=self.hi if hi is None else hi)

    def clamp(self, value: int) -> int:
        """``value`` moved into ``lo … hi`` (the one clamp of the app)."""
        return min(max(int(value), self.lo), self.hi)


# How close a number written in a link must be to an allowed value to be taken as that value: far
# below any gap between allowed values, far above the last-digit noise of a float printed by another
# program (0.30000000000000004, 9.000000000000002: about 1e-16 relative).
NOISE = 1e-12


def _close(number: float, allowed: float) -> bool:
    return math.isclose(number, allowed, rel_tol=NOISE, abs_tol=NOISE)


def _whole(text: str) -> int:
    """A whole number as a link may write it: "3", "+3", "3.0", "3e0", "3.0000000000000004" (so a
    notice never calls a value not allowed and then uses it); "1.5", "inf", "nan", "" are refused."""
    try:
        return int(text)
    except ValueError:
        number = float(text)                   # ValueError for text that is no number at all
        if not math.isfinite(number) or not _close(number, round(number)):
            raise ValueError(text) from None
        return int(round(number))


def _nearest_number(choices: tuple, text: str):
    """The numeric choice ``text`` writes, however it is written ("1e0", "+0.05", "0.00010000000000000001")."""
    numbers = [c for c in choices if isinstance(c, float)]
    number = float(text) if numbers else math.nan         # ValueError for text that is no number at all
    nearest = min(numbers, key=lambda c: abs(c - number)) if math.isfinite(number) else None
    if nearest is None or not _close(number, nearest):
        raise ValueError(text)
    return nearest


def canonical(param: Param, text: str) -> str | None:
    """``text`` written the one way the widgets read it ("1e0" → "1", " 8.0, 4 " → "8,4"), or None
    when it is not an allowed value of ``param`` (the widget then refuses it, and the page says so)."""
    try:
        return spell(param.parse(text))
    except (ValueError, TypeError, OverflowError):
        return None


def spell(value) -> str:
    """A value as a link spells it: 0.05, 321, false, 8,4 (hidden layers); "all rows" for no batch size."""
    if value is None:
        return "all rows"
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value) or "0"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


# ----------------------------------------------------------------------------- the table

TABLE: tuple[Param, ...] = (
    Param("seed", "seed", "int", 321, "Seed (initial weights)",
          "Seeds the random initial weights; the same seed gives the same run.", 0, SEED_MAX),
    Param("hidden", "hidden", "layers", (3,), "Hidden layers (units per layer)",
          "Units in each hidden layer, separated by commas: 3 is one layer of 3 units, 8,4 is two "
          f"layers. 1 to {training.MAX_LAYERS} layers of 1 to {training.MAX_HIDDEN} units; when classifying, 0 is no "
          "hidden layer (logistic or softmax regression).", 1, training.MAX_HIDDEN),
    Param("eta", "lr", "choice", 0.05, "Learning rate η",
          "Step size of gradient descent: W ← W − η·∂L/∂W. Too large and the loss explodes.",
          choices=ETA_CHOICES),
    Param("epochs", "epochs", "int", 1000, "Epochs",
          "Full passes over the training rows, one weight update each.", 1, training.MAX_EPOCHS, step=100),
    Param("activation", "act", "choice", "sigmoid", "Activation g",
          "The hidden units' nonlinearity; the output stays linear.", choices=activations.NAMES),
    Param("split", "split", "int", 42, "Split seed",
          "random_state of train_test_split: which rows are training rows.", 0, SEED_MAX),
    Param("test", "test", "choice", 0.5, "Test fraction",
          "Share of the rows held out to test the trained network.", choices=TEST_SIZES),
    Param("batch_size", "batch", "int", None, "Batch size (rows per update)",
          "Empty = every training row in each update (full batch, the lecture's way). A number b: each "
          "epoch takes the training rows in a shuffled order, b at a time, one update per batch.", 1, MAX_ROWS),
    Param("weight_decay", "l2", "choice", 0.0, "Weight decay λ",
          "Adds (λ/2)·Σw² over the non-bias weights to the loss each update minimises: large weights "
          "cost more, so they shrink a little at every step.", choices=DECAY_CHOICES),
    Param("projector", "projector", "bool", False, "Projector mode",
          "Larger text, thicker lines and bigger points for a lecture hall."),
    Param("task", "task", "choice", "regression", "Task",
          "Regression predicts a number (squared loss, linear output); classification predicts a class "
          "(cross-entropy, a sigmoid or softmax output).", choices=TASKS),
    Param("dataset", "dataset", "choice", "moons", "Data set",
          "A generated two-input data set: circle, XOR, two Gaussians, spiral, two moons, or three classes.",
          choices=TOY_SETS),
    Param("points", "points", "int", 200, "Points", "How many points the data set has.",
          MIN_POINTS, MAX_POINTS, step=10),
    Param("noise", "noise", "choice", 0.1, "Noise",
          "How far each point is jittered from its shape (standard deviation, in the inputs' units).",
          choices=NOISE_CHOICES),
    Param("dseed", "dseed", "int", 0, "Data seed", "Seeds the data set's points; the same seed gives the same points.",
          0, SEED_MAX),
    Param("inputs", "inputs", "inputs", (), "Extra inputs",
          "Inputs computed from x1 and x2 and given to the network beside them.", choices=tuple(DERIVED)),
)
BY_NAME: dict[str, Param] = {p.name: p for p in TABLE}
BY_KEY: dict[str, Param] = {p.key: p for p in TABLE}
MODEL = ("seed", "hidden", "eta", "epochs", "activation", "split", "test", "batch_size", "weight_decay",
         "task", "dataset", "points", "noise", "dseed", "inputs")  # Reset, presets
TOY = ("dataset", "points", "noise", "dseed", "inputs")       # what decides a toy data set

# Defaults that differ by task. The cross-entropy sums −log ŷ over the rows, and its slope stays
# near ±1 per row where the squared loss's shrinks: at the regression's η 0.05 the first full-batch
# step on the default two moons raises L (82.78 → 99.54). At η 0.02 every toy set's loss falls from
# the first step on and 1,000 epochs still separate the moons (tests/state/test_class_eta.py).
TASK_DEFAULTS: dict[str, dict[str, Any]] = {"classification": {"eta": 0.02}}


def default(name: str, task: str) -> Any:
    """The default of setting ``name`` (a Python name) when the task is ``task``."""
    return TASK_DEFAULTS.get(task, {}).get(name, BY_NAME[name].default)


@dataclass(frozen=True)
class Settings:
    """Everything that decides what the pages compute; built once per run by the sidebar."""

    seed: int = BY_NAME["seed"].default
    hidden: tuple[int, ...] = BY_NAME["hidden"].default
    eta: float = BY_NAME["eta"].default
    epochs: int = BY_NAME["epochs"].default
    activation: str = BY_NAME["activation"].default
    split: int = BY_NAME["split"].default
    test: float = BY_NAME["test"].default
    batch_size: int | None = BY_NAME["batch_size"].default
    weight_decay: float = BY_NAME["weight_decay"].default
    projector: bool = BY_NAME["projector"].default
    task: str = BY_NAME["task"].default
    dataset: str = BY_NAME["dataset"].default
    points: int = BY_NAME["points"].default
    noise: float = BY_NAME["noise"].default
    dseed: int = BY_NAME["dseed"].default
    inputs: tuple[str, ...] = BY_NAME["inputs"].default
    data: str = "income"                  # "toy" (classification), or an uploaded file's key (never in the URL)
    features: tuple[str, ...] = FEATURES
    target: str = TARGET
    drop: bool = False                    # drop rows with missing values in the chosen columns

    def training_args(self) -> dict[str, Any]:
        """The scalars that decide a training run on the bundled data (the cache key)."""
        args = dict(split=self.split, test=self.test, seed=self.seed, hidden=self.hidden,
                    eta=self.eta, epochs=self.epochs, activation=self.activation,
                    batch_size=self.batch_size, weight_decay=self.weight_decay)
        if self.classifies:
            args.update(task=self.task, loss=self.loss)
            if self.data == "toy":
                args.update({name: getattr(self, name) for name in TOY})
        return args

    @property
    def classifies(self) -> bool:
        return self.task == "classification"

    @property
    def loss(self) -> str:
        """The loss the task trains with (``core.network.LOSSES``)."""
        return "cross_entropy" if self.classifies else "squared"

    def toy_key(self) -> tuple:
        """What decides the toy data set (empty unless it is in use)."""
        return tuple(getattr(self, name) for name in TOY) if self.data == "toy" else ()

    @property
    def units(self) -> int:
        """Hidden units of the first hidden layer (the unit picker's range)."""
        return self.hidden[0]

    def data_key(self) -> tuple:
        """What decides the prepared data."""
        key = (self.data, self.features, self.target, self.drop, self.split, self.test)
        return key + (self.task,) + self.toy_key() if self.classifies else key

    def linked(self) -> dict[str, Any]:
        """URL key → value in use, for every parameter of the table."""
        return {p.key: getattr(self, p.name) for p in TABLE}


DEFAULTS = Settings()
assert {f.name for f in fields(Settings)} >= {p.name for p in TABLE}

PRESETS: dict[str, dict[str, Any]] = {
    "Lecture demo — first step: seed 9, η 0.01": dict(seed=9, eta=0.01),
    "Lecture demo — training: seed 321, η 0.05, 1000 epochs": dict(seed=321, eta=0.05, epochs=1000),
    "Learning rate too high (η 5)": dict(eta=5.0),
    "One hidden unit": dict(hidden=(1,)),
    "Wide network (16 units)": dict(hidden=(16,)),
    "Two hidden layers (8, 4)": dict(hidden=(8, 4)),
    "Mini-batches of 5 with weight decay 0.01": dict(batch_size=5, weight_decay=0.01),
}
# The classic classification lessons (task, data and network together), each η small enough that
# the loss falls from the first step.
CLASS_PRESETS: dict[str, dict[str, Any]] = {
    "XOR needs a hidden layer": dict(task="classification", dataset="xor", hidden=(4,), eta=0.02, epochs=1000),
    "Circle: x² inputs and no hidden layer": dict(task="classification", dataset="circle", inputs=("x1sq", "x2sq"),
                                                  hidden=NO_LAYER, eta=0.05, epochs=1000),
    "Spiral needs depth": dict(task="classification", dataset="spiral", points=400, noise=0.05, hidden=(16, 16),
                               activation="tanh", eta=0.002, epochs=3000),
    "Three classes with softmax": dict(task="classification", dataset="three", hidden=(4,), eta=0.02, epochs=1000),
}
PRESETS.update(CLASS_PRESETS)


# ----------------------------------------------------------------------------- link notices

def link_notices(link: Mapping[str, list[str]], used: Mapping[str, Any],
                 params: Mapping[str, Param] = BY_KEY) -> list[str]:
    """One sentence per parameter of ``link`` that the app could not take as it was.

    ``link`` maps URL keys to every value the URL gave (as ``st.query_params.get_all``); ``used``
    maps URL keys to the value in effect. Unknown parameters are ignored (chat apps add their own).
    """
    notes = []
    for key, param in params.items():
        values = link.get(key)
        if not values:
            continue
        if param.kind == "inputs":          # a multiple choice: one value per chosen input
            values = [",".join(values)]
        text, shown = values[-1], safe_snippet(values[-1])
        try:
            value = param.parse(text)
        except (ValueError, TypeError, OverflowError):
            value = None
        in_use = param.show(used.get(key))
        if value is None:
            notes.append(f"The link's `{key}={shown}` is not allowed ({key} must be {param.rule}); using {in_use}.")
        elif param.kind == "layers" and value == NO_LAYER and used.get(key) != NO_LAYER:
            notes.append(f"The link's `{key}={shown}` could not be used here (no hidden layer is for classification "
                         f"only); using {in_use}.")
        elif param.show(value) != in_use:     # never "could not use 5; using 5"
            notes.append(f"The link's `{key}={shown}` could not be used here; using {in_use}.")
        elif len(values) > 1:
            notes.append(f"The link gives `{key}` {len(values)} times; using the last one, {spell(value)}.")
    return notes


def safe_snippet(text: str, limit: int = 24) -> str:
    """A URL value cut short and stripped of anything Markdown could act on, for an inline code span."""
    cleaned = "".join(ch if ch.isprintable() and ch not in "`\\" else "?" for ch in str(text))
    return cleaned[:limit] + ("…" if len(cleaned) > limit else "")


# ----------------------------------------------------------------------------- page-level parameters

PAGE: dict[str, Param] = {p.key: p for p in (
    Param("epoch", "epoch", "int", 0, "Epoch", "", 0, training.MAX_EPOCHS),
    Param("sample", "sample", "int", 1, "Sample n", "", 1, MAX_ROWS),
    Param("unit", "unit", "int", 1, "Hidden unit j", "", 1, training.MAX_HIDDEN),
    Param("step", "step", "int", 1, "Step", "", 1, 6),
    Param("all", "all", "bool", False, "Show all steps"),
    Param("mistake", "mistake", "bool", False, "Reproduce the lecture demo's mistake"),
    Param("seeds", "seeds", "bool", False, "Train from 20 seeds"),
    Param("sklearn", "sklearn", "bool", False, "Train it with scikit-learn too"),
)}


LINKED: dict[str, Param] = {**BY_KEY, **PAGE}      # every parameter a link may hold, by URL key


def tidy(link: Mapping[str, list[str]]) -> dict[str, str]:
    """URL key → the way the widgets write it, for each parameter of ``link`` (URL key → every value
    given) whose one value is allowed but written otherwise ("l2=1e0" → {"l2": "1"}). A repeated
    parameter or a value that is not allowed is left out: the page reports those as they came."""
    out = {}
    for key, values in link.items():
        param = LINKED.get(key)
        if param is not None and param.kind != "inputs" and len(values) == 1:   # inputs: one value per input
            written = canonical(param, values[0])
            if written is not None and written != values[0]:
                out[key] = written
    return out


def choice_param(key: str, choices) -> Param:
    """A page's own choice parameter (e.g. what the Network page's lines show)."""
    return Param(key, key, "choice", choices[0], choices=tuple(choices))
