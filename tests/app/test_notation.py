"""One notation: every symbol an equation on any page uses is explained in the Symbols panel
(ui/views/symbols.py), and no page writes numpy syntax or the old prefixes into what a student reads."""

from __future__ import annotations

import re

import pytest

from tests.app.helpers import PAGES, no_exception, open_app, texts
from ui.views import symbols

SETTINGS = [{}, {"projector": "true"}, {"hidden": "8,4", "batch": "5", "l2": "0.01"}, {"act": "relu", "lr": "5"}]
# LaTeX that only lays out, names a function or holds words: not a symbol a student must look up.
LAYOUT = {r"\frac", r"\tfrac", r"\sum", r"\left", r"\right", r"\begin", r"\end", r"\underbrace", r"\quad",
          r"\qquad", r"\times", r"\cdot", r"\dots", r"\leftarrow", r"\longrightarrow", r"\to", r"\ne", r"\le",
          r"\ge", r"\approx", r"\max", r"\tanh", r"\mathbf", r"\Bigl", r"\Bigr", r"\bigl", r"\bigr", r"\,",
          r"\;", r"\!", r"\ ", r"\\", r"\text", r"\mathrm", r"\hat", r"\cases", r"\scriptstyle"}
WORDS = re.compile(r"\\(?:text|mathrm)\{[^{}]*\}")
MACRO = re.compile(r"\\[a-zA-Z]+|\\.")
LETTER = re.compile(r"(?<![a-zA-Z\\])[a-zA-Z](?![a-zA-Z])")


def equations(at) -> list[str]:
    inline = [m for md in at.markdown for m in re.findall(r"(?<!\\)\$([^$]+?)(?<!\\)\$", md.value)]
    return [tex.value for tex in at.latex] + inline


def symbols_in(tex: str) -> tuple[set[str], set[str]]:
    bare = WORDS.sub(" ", tex.replace(r"\hat y", " HATY "))
    bare = re.sub(r"\\(?:begin|end)\{[a-z]+\}", " ", bare)
    macros = {m for m in MACRO.findall(bare)} - LAYOUT
    letters = set(LETTER.findall(MACRO.sub(" ", bare)))
    return macros | ({r"\hat y"} if "HATY" in bare else set()), letters


def explained() -> str:
    return " ".join(tex for tex, _ in symbols.SYMBOLS)


@pytest.mark.parametrize("query", SETTINGS, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()) or "defaults")
@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.fast_sample(3)
def test_every_symbol_an_equation_uses_is_in_the_symbols_panel(page, query):
    at = open_app(page, {**query, "all": "true"} if page == "backprop" else query)
    no_exception(at)
    panel = explained()
    for tex in equations(at):
        macros, letters = symbols_in(tex)
        unexplained = {m for m in macros if m not in panel} | {x for x in letters if x not in
                                                                 set(symbols.IN_EQUATIONS) | {"O", "H"}}
        assert not unexplained, f"{sorted(unexplained)} in {tex[:160]}"


@pytest.mark.parametrize("page", list(PAGES))
def test_no_page_writes_numpy_slicing_or_unexplained_prefixes(page):
    at = open_app(page, {"all": "true"} if page == "backprop" else {})
    words = texts(at) + "\n".join(equations(at))
    assert not re.search(r"\[\s*-?\d*\s*(?:\{:\}|:)\s*-?\d*\s*\]", words)         # W_O[1:], W_O[1{:}]
    assert "Lit:" not in words
    assert not re.search(r"\|a - n\|", words)                                    # g_bp, g_num, not a and n


def test_the_symbols_panel_is_on_every_page_and_explains_what_the_check_relies_on():
    for page in PAGES:
        at = open_app(page)
        assert at.get("popover") and "| symbol | meaning |" in texts(at) and "Euler's number" in texts(at)
    panel = explained()
    for symbol in symbols.IN_EQUATIONS:
        assert symbol in panel or symbol in "".join(m for _, m in symbols.SYMBOLS), symbol


def outside_maths(markdown: str) -> str:
    """What Streamlit shows of ``markdown`` as plain text: everything outside ``$…$`` and code spans."""
    return re.sub(r"(?<!\\)\$[^$]*(?<!\\)\$|`[^`]*`", " ", markdown)


def test_the_symbols_panel_writes_every_symbol_as_mathematics():
    panel = symbols.markdown()
    assert len(re.findall(r"(?<!\\)\$", panel)) % 2 == 0, "an unclosed $"
    text = outside_maths(panel)
    for raw in ("\\", "_{", "^{", "_", "^"):
        assert raw not in text, f"raw LaTeX {raw!r} outside $…$: {text[max(0, text.find(raw) - 80):text.find(raw) + 40]}"
    for tex, meaning in symbols.SYMBOLS:        # each meaning on its own, too
        assert not re.search(r"\\|_|\^", outside_maths(meaning)), meaning
    assert panel in texts(open_app("data"))   # exactly what the page shows


def test_the_symbols_panel_states_the_one_rule_for_indices_and_layers():
    panel = symbols.markdown()
    assert "**Indices.**" in panel
    rule = panel[panel.index("**Indices.**"):]
    assert "row first" in rule and "A layer is never an index" in rule
    for example in (r"x_{n,i}", r"z^{H}_{n,j}", r"w^{H}_{i,j}", r"h^{H2}_{j}", r"W_{H2}"):
        assert example in rule, example


# ----------------------------------------------------------------------------- deeper networks: one rule for indices

SUB, SUP = "₀₁₂₃₄₅₆₇₈₉", "⁰¹²³⁴⁵⁶⁷⁸⁹"
# A unit written in plain text: h, its layer above (ᴴ¹ = layer H1), then its indices below.
UNIT = re.compile(rf"(?<![A-Za-z])h(ᴴ[{SUP}]+)?([{SUB}]+)((?:,\s?[{SUB}]+)*)")
SUBSCRIPT = re.compile(r"_\{([^{}]*)\}")
ENTRY_SUPERSCRIPT = re.compile(r"(?:\b[zuwh]|\\delta)\^\{([^{}]*)\}")


def number(text: str, digits: str) -> int:
    return int("".join(str(digits.index(c)) for c in text))


def all_readable_text(at) -> list[str]:
    """Everything on the page a student reads: text, LaTeX, table labels, and every label in a chart.
    The Symbols panel is left out: it writes the one-hidden-layer names (z^H) as the general notation."""
    import pyarrow as pa
    panel = symbols.markdown()
    parts = [texts(at).replace(panel, ""), *(tex for tex in equations(at) if tex not in panel)]
    for frame in [d.value for d in at.dataframe] + [t.value for t in at.table]:
        parts += [str(v) for v in (*frame.index, *frame.columns)]
    for chart in at.get("vega_lite_chart"):
        for d in chart.proto.datasets:
            frame = pa.ipc.open_stream(d.data.data).read_all().to_pandas()
            for column in ("label", "node", "text", "name", "frm", "to"):
                if column in frame:
                    parts += [str(v) for v in frame[column]]
    parts += [o for box in at.selectbox for o in box.options]
    return parts


def check_indices(parts: list[str], widths: list[int], n_samples: int) -> None:
    """No subscript holds two numbers without a comma; a unit names its layer above; every index exists."""
    layers = {f"H{k}" for k in range(1, len(widths) + 1)} | {"O"}
    for text in parts:
        for m in UNIT.finditer(text):
            layer, unit, more = m.groups()
            assert not more, f"two numbers in one subscript, {m.group(0)!r}, in: {text[:200]}"
            assert layer, f"{m.group(0)!r} names no layer, with {len(widths)} hidden layers: {text[:200]}"
            k = number(layer[1:], SUP)
            assert 1 <= k <= len(widths) and number(unit, SUB) <= widths[k - 1], f"{m.group(0)!r}: no such unit"
        for content in SUBSCRIPT.findall(text):
            for index in content.split(","):
                index = index.strip()
                assert not re.fullmatch(r"\d+\s+\d+|\d+\\[,;!]\s*\d+", index), f"_{{{content}}} in {text[:200]}"
                if index.isdigit():
                    assert int(index) <= max(n_samples, *widths), f"_{{{content}}}: no such index, in {text[:200]}"
        assert not re.search(r"[_^]\{?\\ell", text), f"ℓ is sample n's share of the loss, not a layer: {text[:200]}"
        for name in ENTRY_SUPERSCRIPT.findall(text):
            assert name in layers or name.startswith(r"\text"), f"^{{{name}}} is not a layer, in {text[:200]}"


@pytest.mark.parametrize("hidden", ["8,4", "12,10"])
@pytest.mark.parametrize("page", list(PAGES))
def test_deeper_networks_never_run_two_numbers_together_in_a_subscript(page, hidden):
    query = {"hidden": hidden, "unit": "10"}
    at = open_app(page, {**query, "all": "true"} if page == "backprop" else query)
    no_exception(at)
    widths = [int(w) for w in hidden.split(",")]
    check_indices(all_readable_text(at), widths, 15)


def test_the_notebook_follows_the_same_rule_for_indices():
    import json

    from ui.views.notebook import RunSpec, build_notebook
    cells = json.loads(build_notebook(RunSpec(hidden=(12, 10), step_epoch=3)))["cells"]
    check_indices(["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"], [12, 10], 15)


# ----------------------------------------------------------------------------- shapes: the variable's, never the table's

SHAPE = re.compile(r"(\S+) \((\d+), (\d+)\)")
UNDERBRACE = re.compile(r"\\underbrace\{")
MATRIX_ROWS = re.compile(r"n=\d+ \(row \d+\)|x₀ = 1|h\S*₀ = 1|[zu]_")      # a sample, a bias node, z or u


def true_shapes(query: dict, page: str) -> dict[str, tuple[int, int]]:
    """Every variable's shape, worked out from the settings alone: the bundled 30 rows, the test
    fraction, N_I = 2 inputs, the hidden widths, N_O = 1 output (and, on the Backprop page, the rows
    of the step's mini-batch)."""
    n_all, n_inputs, n_out = 30, 2, 1
    n_test = -(-n_all * int(float(query.get("test", "0.5")) * 100) // 100)          # ceil, as train_test_split
    n_train = n_all - n_test
    rows = min(int(query["batch"]), n_train) if page == "backprop" and query.get("batch") else n_train
    widths = [int(w) for w in query.get("hidden", "3").split(",")]
    names = ["H"] if len(widths) == 1 else [f"H{k}" for k in range(1, len(widths) + 1)]
    out = {"X": (n_all, n_inputs), "X_train": (n_train, n_inputs), "X_test": (n_test, n_inputs),
           "X_train_aug": (n_train, n_inputs + 1), "X_test_aug": (n_test, n_inputs + 1),
           "y_train": (n_train, n_out), "y_test": (n_test, n_out),
           "X_aug": (rows, n_inputs + 1), "y": (rows, n_out), "ŷ": (rows, n_out), "z_O": (rows, n_out),
           "u_O": (rows, n_out), "δ_O": (rows, n_out), "ℓ": (rows, 1)}
    fan_in = [n_inputs, *widths]
    for name, width, below in zip([*names, "O"], [*widths, n_out], fan_in):
        out[f"W_{name}"] = (below + 1, width)
        if name != "O":
            for v in ("z", "u", "δ"):
                out[f"{v}_{name}"] = (rows, width)
            out[f"g′(z_{name})"] = (rows, width)
            out[f"[1,u_{name}]"] = (rows, width + 1)
    return out


def variable(token: str) -> str:
    """The variable a caption or an equation names: "−η·∂L/∂W_H" and "∂J/∂W_O" are shaped like W."""
    token = re.sub(r"\\(?:mathrm|mathbf|text)\b|\\[,;! ]|[{}\s]", "", token).replace(r"\delta", "δ")
    return re.sub(r"^(?:−η·|-η·|λ·)?(?:∂[LJ]/∂)?", "", token)


def stated_shapes(at) -> list[tuple[str, tuple[int, int], str]]:
    """(variable, shape, where) for every shape a caption states and every shape under an equation."""
    found = []
    for caption in (c.value for c in at.caption):
        for name, r, c in SHAPE.findall(caption):
            found.append((variable(name.rstrip(",:;")), (int(r), int(c)), caption))
    for tex in equations(at):
        for m in UNDERBRACE.finditer(tex):
            depth, k = 1, m.end()
            while depth:
                depth += {"{": 1, "}": -1}.get(tex[k], 0)
                k += 1
            under = re.match(r"_\{(\d+)\\times\s*(\d+)\}", tex[k:])
            if under:
                found.append((variable(tex[m.end():k - 1]), (int(under[1]), int(under[2])), tex))
    return found


SHAPE_SETTINGS = [{}, {"hidden": "8,4", "batch": "5", "l2": "0.01"}, {"projector": "true", "seed": "9", "lr": "0.01"},
                  {"test": "0.2", "hidden": "5"}]


@pytest.mark.parametrize("query", SHAPE_SETTINGS, ids=lambda q: "&".join(f"{k}={v}" for k, v in q.items()) or "defaults")
@pytest.mark.parametrize("page", ["data", "network", "backprop"])
@pytest.mark.fast_sample(5)
def test_every_shape_a_caption_or_an_equation_states_is_the_variables_own(page, query):
    at = open_app(page, {**query, "all": "true"} if page == "backprop" else query)
    no_exception(at)
    truth = true_shapes(query, page)
    stated = stated_shapes(at)
    assert stated, "no shape stated"
    for name, shape, where in stated:
        assert name in truth, f"{name!r} is not a variable (a table's shape?): {where[:160]}"
        assert shape == truth[name], f"{name} is {truth[name]}, not {shape}: {where[:160]}"
    # Every table of a variable (rows named as samples, nodes or z/u) has a caption naming its shape
    matrices = [t for t in [*at.dataframe, *at.table] if MATRIX_ROWS.match(str(t.value.index[0]))]
    with_shape = sum(1 for c in at.caption if SHAPE.search(c.value))
    assert matrices and with_shape == len(matrices), "a table whose caption names no variable's shape"


def test_without_weight_decay_the_objective_is_L_everywhere_and_J_only_with_decay():
    """J = L + (λ/2)Σw² is what a step lowers when λ > 0: without decay no text, caption or chart calls it J."""
    at = open_app("backprop", {"seed": "9", "lr": "0.01", "all": "true"})
    words = "\n".join(all_readable_text(at))
    assert not re.search(r"(?<![A-Za-z\\])J(?![A-Za-z])", words), words[max(0, words.find("J") - 120):words.find("J") + 80]
    assert "(L(w + ε) − L(w − ε)) / 2ε" in words
    decay = open_app("backprop", {"seed": "9", "lr": "0.01", "l2": "0.01", "all": "true"})
    assert "(J(w + ε) − J(w − ε)) / 2ε" in "\n".join(all_readable_text(decay))


@pytest.mark.parametrize("query", [{"seed": "9", "lr": "0.01"}, {"lr": "5", "epoch": "81"}, {"lr": "5"},
                                   {"l2": "0.01"}], ids=["falls", "overflows", "rises", "decay"])
@pytest.mark.fast_sample(2)
def test_the_squared_gradient_norm_is_said_in_words_wherever_it_appears(query):
    at = open_app("backprop", {**query, "step": "6"})
    no_exception(at)
    for text in texts(at).replace(symbols.markdown(), "").split("\n"):
        if "‖" in text:
            assert "the sum of the squares of every weight's gradient" in text or \
                "the square root of that sum" in text, text
