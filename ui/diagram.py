"""The network drawn from its networkx graph with Altair, so every node and edge has a tooltip.

Pure: a graph and numbers in, a chart out. Edges are coloured by the sign of the value shown and
dashed when it is negative (sign is never carried by colour alone), with width growing with its
magnitude. Nodes can carry values (z, u, δ) in their tooltips and short texts beside them.
"""

from __future__ import annotations

from typing import Hashable, Mapping

import altair as alt
import numpy as np
import pandas as pd

from ui import style as st_style

SIGN_DOMAIN = ["positive", "negative"]


def layout(G) -> dict[Hashable, tuple[float, float]]:
    """Layer by layer from left to right, bias node on top, each layer centred vertically."""
    layers: dict[int, list] = {}
    for node, d in G.nodes(data=True):
        layers.setdefault(d["layer"], []).append(node)
    pos = {}
    for layer, nodes in layers.items():
        nodes.sort(key=lambda n: G.nodes[n]["index"])
        m = len(nodes)
        gap = min(1.0 / max(m - 1, 1), 0.28)
        for i, node in enumerate(nodes):
            pos[node] = (float(layer), 0.5 - (i - (m - 1) / 2) * gap)
    return pos


def _thin(n_hidden: int) -> int:
    """Label every k-th hidden unit so labels never collide."""
    return 1 if n_hidden <= 12 else int(np.ceil(n_hidden / 8))


def edge_frame(G, values: Mapping, extra: Mapping | None = None, highlight=None) -> pd.DataFrame:
    """One row per edge: endpoints, notation name, the value shown, its sign, extra tooltip fields."""
    pos = layout(G)
    rows = []
    for u, v, d in G.edges(data=True):
        value = float(values[(u, v)])
        row = dict(x=pos[u][0], y=pos[u][1], x2=pos[v][0], y2=pos[v][1], name=d["name"],
                   frm=G.nodes[u]["label"], to=G.nodes[v]["label"], value=value,
                   magnitude=abs(value) if np.isfinite(value) else 0.0,
                   sign="negative" if value < 0 else "positive",
                   lit=highlight is None or (u, v) in highlight)
        row.update((extra or {}).get((u, v), {}))
        rows.append(row)
    return pd.DataFrame(rows)


def node_frame(G, extra: Mapping | None = None, highlight=None, text: Mapping | None = None) -> pd.DataFrame:
    """One row per node: position, label, kind, whether it is lit, its text and tooltip fields."""
    pos = layout(G)
    n_hidden = sum(1 for n, d in G.nodes(data=True) if d["layer"] == 1 and not d["bias"])
    every = _thin(n_hidden)
    rows = []
    for node, d in G.nodes(data=True):
        kind = "bias" if d["bias"] else {0: "input", 1: "hidden", 2: "output"}[d["layer"]]
        show_label = kind != "hidden" or d["index"] % every == 0 or d["index"] == 1
        row = dict(x=pos[node][0], y=pos[node][1], label=d["label"] if show_label else "",
                   node=d["label"], kind=kind, layer=d["layer"],
                   lit=highlight is None or node in highlight,
                   text=(text or {}).get(node, ""))
        row.update((extra or {}).get(node, {}))
        rows.append(row)
    return pd.DataFrame(rows)


def network_chart(G, edge_values: Mapping, *, value_title: str = "weight",
                  edge_extra: Mapping | None = None, node_extra: Mapping | None = None,
                  highlight_edges=None, highlight_nodes=None, node_text: Mapping | None = None,
                  edge_text: Mapping | None = None, style: st_style.ChartStyle = st_style.NORMAL,
                  height: int | None = None, width: int | str = "container",
                  label_halo: bool = False, width_range: tuple[float, float] | None = None,
                  x_domain: tuple[float, float] = (-0.55, 2.55)) -> alt.LayerChart:
    """The layered diagram. ``edge_values`` maps each edge (u, v) to the number it shows.

    ``edge_extra``/``node_extra`` map edges/nodes to dicts of extra tooltip fields (numbers get six
    decimals). ``highlight_*`` (sets) dim everything else. ``node_text``/``edge_text`` put short
    strings beside nodes / at the middle of edges. ``label_halo`` draws every text over a white
    outline, so labels stay readable where many edges cross them (wide hidden layers).
    ``width_range`` (thinnest, thickest) overrides the edge widths, e.g. thinner for a crowded layer.
    ``x_domain`` is the horizontal extent in layer units (layers sit at 0, 1, 2): widen it to make
    room for long labels or node texts.
    """
    edges = edge_frame(G, edge_values, edge_extra, highlight_edges)
    nodes = node_frame(G, node_extra, highlight_nodes, node_text)
    n_max = int(nodes.groupby("layer").size().max())
    big = style.font >= 16
    crowded = n_max > 13
    diameter = (16 if big else 11) if crowded else (30 if big else 22)
    spacing = max(diameter + 6, 20 if big else 15) if crowded else diameter + style.font + 10
    if height is None:
        height = int(min(max((n_max - 1) * spacing * 1.12 + 70, style.height), 980 if big else 700))
    x_scale = alt.Scale(domain=list(x_domain), nice=False)
    y_scale = alt.Scale(domain=[-0.06, 1.06], nice=False)
    x = alt.X("x:Q", axis=None, scale=x_scale)
    y = alt.Y("y:Q", axis=None, scale=y_scale)
    finite = edges["magnitude"][np.isfinite(edges["magnitude"])]
    top = float(finite.max()) if len(finite) and finite.max() > 0 else 1.0
    width_range = list(width_range) if width_range else ([1.2, 14] if big else [0.6, 9])

    edge_tips = [alt.Tooltip("name:N", title="weight"), alt.Tooltip("frm:N", title="from"),
                 alt.Tooltip("to:N", title="to"), alt.Tooltip("value:Q", title=value_title, format=".6f")]
    edge_tips += [_tip(edges, c) for c in edges.columns if c not in _EDGE_BASE]
    lines = alt.Chart(edges).mark_rule(strokeCap="round").encode(
        x=x, y=y, x2=alt.X2("x2:Q"), y2=alt.Y2("y2:Q"),
        color=alt.Color("sign:N", title=f"sign of {value_title}",
                        scale=alt.Scale(domain=SIGN_DOMAIN, range=[st_style.POSITIVE, st_style.NEGATIVE]),
                        legend=alt.Legend(orient="bottom", symbolType="stroke",
                                          symbolStrokeWidth=style.line + 1,
                                          labelExpr="datum.label == 'negative' ? 'negative (dashed)' : 'positive (solid)'")),
        strokeDash=alt.StrokeDash("sign:N", scale=alt.Scale(domain=SIGN_DOMAIN, range=[[1, 0], [7, 4]]),
                                  legend=None),
        strokeWidth=alt.StrokeWidth("magnitude:Q", scale=alt.Scale(domain=[0, top], range=width_range),
                                    legend=None),
        opacity=_lit(0.85, 0.12),
        tooltip=edge_tips,
    )
    node_tips = [alt.Tooltip("node:N", title="node")]
    node_tips += [_tip(nodes, c) for c in nodes.columns if c not in _NODE_BASE]
    fills = {"input": "#ffffff", "bias": "#dddddd", "hidden": st_style.YELLOW, "output": st_style.GREEN}
    shapes = {"input": "circle", "bias": "square", "hidden": "circle", "output": "diamond"}
    nodes = nodes.assign(fill=nodes.kind.map(fills), shape=nodes.kind.map(shapes))
    # Node colours and shapes are literal (scale=None) so they never share the edges' sign scale.
    dots = alt.Chart(nodes).mark_point(filled=True, stroke=st_style.BLACK, strokeWidth=1.2).encode(
        x=x, y=y,
        shape=alt.Shape("shape:N", scale=None),
        fill=alt.Fill("fill:N", scale=None),
        size=alt.SizeValue(diameter * diameter),
        opacity=_lit(1.0, 0.25),
        tooltip=node_tips,
    )
    font = style.font
    pad = diameter // 2 + 6
    left = alt.Chart(nodes[nodes.layer == 0]).mark_text(align="right", dx=-pad, fontSize=font).encode(
        x=x, y=y, text=alt.Text("label:N"))
    middle = alt.Chart(nodes[nodes.layer == 1]).mark_text(
        align="right" if crowded else "center", dx=-pad if crowded else 0,
        dy=0 if crowded else -(pad + font // 2 - 2), fontSize=font if not crowded else font - 2).encode(
        x=x, y=y, text=alt.Text("label:N"))
    right = alt.Chart(nodes[nodes.layer == 2]).mark_text(align="left", dx=pad, fontSize=font).encode(
        x=x, y=y, text=alt.Text("label:N"))
    layers = [lines, dots, left, middle, right]
    if node_text:
        layers.append(alt.Chart(nodes[nodes.text != ""]).mark_text(
            align="left", dx=pad, dy=pad, fontSize=font, fontWeight="bold", color=st_style.BLACK).encode(
            x=x, y=y, text=alt.Text("text:N")))
    if edge_text:
        et = edges.assign(text=[edge_text.get(k, "") for k in G.edges()],
                          mx=(edges.x + edges.x2) / 2, my=(edges.y + edges.y2) / 2)
        et = et[et.text != ""]
        layers.append(alt.Chart(et).mark_text(fontSize=font - 1, fontWeight="bold", color=st_style.BLACK,
                                              dy=-6).encode(
            x=alt.X("mx:Q", axis=None, scale=x_scale), y=alt.Y("my:Q", axis=None, scale=y_scale),
            text=alt.Text("text:N")))
    if label_halo:
        layers = layers[:2] + [c for text in layers[2:] for c in (_halo(text, style), text)]
    return alt.layer(*layers).properties(height=height, width=width)


def _lit(lit: float, dim: float) -> alt.OpacityValue:
    """Opacity ``lit`` where ``datum.lit``, else ``dim``.

    Written as a channel object: Altair turns bare strings, ``alt.value`` and ``alt.condition``
    into channels by searching its schema, which costs milliseconds per call on every rerun.
    """
    return alt.OpacityValue(dim, condition={"test": "datum.lit", "value": lit})


def _halo(text: alt.Chart, style: st_style.ChartStyle) -> alt.Chart:
    """The same text layer drawn as a thick white outline, to sit underneath it."""
    mark = {**text.mark.to_dict(), "stroke": "white", "strokeWidth": 3 + style.font // 5,
            "strokeJoin": "round", "strokeOpacity": 0.9}
    return alt.Chart(text.data, mark=alt.MarkDef(**mark), encoding=text.encoding)


_EDGE_BASE = {"x", "y", "x2", "y2", "name", "frm", "to", "value", "magnitude", "sign", "lit"}
_NODE_BASE = {"x", "y", "label", "node", "kind", "layer", "lit", "text", "fill", "shape"}


def _tip(frame: pd.DataFrame, column: str) -> alt.Tooltip:
    numeric = pd.api.types.is_numeric_dtype(frame[column])
    return alt.Tooltip(f"{column}:{'Q' if numeric else 'N'}", title=column,
                       **({"format": ".6f"} if numeric else {}))
