"""The network drawn from its networkx graph with Altair, so every node and edge has a tooltip.

Pure: a graph and numbers in, a chart out. Edges are coloured by the sign of the value shown and
dashed when it is negative (sign is never carried by colour alone), with width growing with its
magnitude. Nodes can carry values (z, u, δ) in their tooltips and short texts beside them.
"""

from __future__ import annotations

from typing import Hashable, Mapping

import numpy as np
import pandas as pd

from ui.views import style as st_style

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


def depth(G) -> int:
    """Number of hidden layers of the graph (its output layer is depth + 1)."""
    return max(d["layer"] for _, d in G.nodes(data=True)) - 1


def node_frame(G, extra: Mapping | None = None, highlight=None, text: Mapping | None = None) -> pd.DataFrame:
    """One row per node: position, label, kind, whether it is lit, its text and tooltip fields."""
    pos = layout(G)
    out = depth(G) + 1
    n_hidden = max((sum(1 for n, d in G.nodes(data=True) if d["layer"] == layer and not d["bias"])
                    for layer in range(1, out)), default=1)           # no hidden layer: nothing to thin
    every = _thin(n_hidden)
    rows = []
    for node, d in G.nodes(data=True):
        kind = "bias" if d["bias"] else "input" if d["layer"] == 0 else "output" if d["layer"] == out else "hidden"
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
                  x_domain: tuple[float, float] | None = None, legend: bool = True) -> dict:
    """The layered diagram as a Vega-Lite spec. ``edge_values`` maps each edge (u, v) to its number.

    ``edge_extra``/``node_extra`` map edges/nodes to dicts of extra tooltip fields (numbers get six
    decimals). ``highlight_*`` (sets) dim everything else. ``node_text``/``edge_text`` put short
    strings beside nodes / at the middle of edges. ``label_halo`` draws every text over a white
    outline, so labels stay readable where many edges cross them (wide hidden layers).
    ``width_range`` (thinnest, thickest) overrides the edge widths, e.g. thinner for a crowded layer.
    ``x_domain`` is the horizontal extent in layer units (layers sit at 0, 1, …, depth + 1; by
    default 0.55 more on each side): widen it to make room for long labels or node texts. Without ``legend`` the caption must say what colour and
    dash mean (a small projected diagram needs the room).

    Written as a plain dict over two named datasets ("edges", "nodes"; layers pick subsets with
    filters): Altair took ~0.2 s to build and serialise this chart, most of a rerun.
    """
    edges = edge_frame(G, edge_values, edge_extra, highlight_edges)
    nodes = node_frame(G, node_extra, highlight_nodes, node_text)
    out = depth(G) + 1
    x_domain = x_domain or (-0.55, out + 0.55)
    n_max = int(nodes.groupby("layer").size().max())
    big = style.font >= 16
    crowded = n_max > 13
    diameter = (16 if big else 11) if crowded else (30 if big else 22)
    spacing = max(diameter + 6, 20 if big else 15) if crowded else diameter + style.font + 10
    if height is None:
        height = int(min(max((n_max - 1) * spacing * 1.12 + 70, style.height), 980 if big else 700))
    x = {"field": "x", "type": "quantitative", "axis": None,
         "scale": {"domain": list(x_domain), "nice": False}}
    y = {"field": "y", "type": "quantitative", "axis": None, "scale": {"domain": [-0.06, 1.06], "nice": False}}
    finite = edges["magnitude"][np.isfinite(edges["magnitude"])]
    top = float(finite.max()) if len(finite) and finite.max() > 0 else 1.0
    width_range = list(width_range) if width_range else ([1.2, 14] if big else [0.6, 9])

    edge_tips = [_tip_of("name", "weight"), _tip_of("frm", "from"), _tip_of("to", "to"),
                 _tip_of("value", value_title, numeric=True)]
    edge_tips += [_tip(edges, c) for c in edges.columns if c not in _EDGE_BASE]
    lines = {"data": {"name": "edges"}, "mark": {"type": "rule", "strokeCap": "round"}, "encoding": {
        "x": x, "y": y, "x2": {"field": "x2"}, "y2": {"field": "y2"},
        "color": {"field": "sign", "type": "nominal", "title": f"sign of {value_title}",
                  "scale": {"domain": SIGN_DOMAIN, "range": [st_style.POSITIVE, st_style.NEGATIVE]},
                  "legend": {"orient": "bottom", "symbolType": "stroke", "symbolStrokeWidth": style.line + 1,
                             "labelExpr": "datum.label == 'negative' ? 'negative (dashed)' : 'positive (solid)'"}
                  if legend else None},
        "strokeDash": {"field": "sign", "type": "nominal", "legend": None,
                       "scale": {"domain": SIGN_DOMAIN, "range": [[1, 0], [7, 4]]}},
        "strokeWidth": {"field": "magnitude", "type": "quantitative", "legend": None,
                        "scale": {"domain": [0, top], "range": width_range}},
        "opacity": _lit(0.85, 0.12),
        "tooltip": edge_tips}}
    node_tips = [_tip_of("node", "node")] + [_tip(nodes, c) for c in nodes.columns if c not in _NODE_BASE]
    fills = {"input": "#ffffff", "bias": "#dddddd", "hidden": st_style.YELLOW, "output": st_style.GREEN}
    shapes = {"input": "circle", "bias": "square", "hidden": "circle", "output": "diamond"}
    nodes = nodes.assign(fill=nodes.kind.map(fills), shape=nodes.kind.map(shapes))
    # Node colours and shapes are literal (scale None) so they never share the edges' sign scale.
    dots = {"data": {"name": "nodes"},
            "mark": {"type": "point", "filled": True, "stroke": st_style.BLACK, "strokeWidth": 1.2},
            "encoding": {"x": x, "y": y, "shape": {"field": "shape", "type": "nominal", "scale": None},
                         "fill": {"field": "fill", "type": "nominal", "scale": None},
                         "size": {"value": diameter * diameter}, "opacity": _lit(1.0, 0.25),
                         "tooltip": node_tips}}
    font = style.font
    pad = diameter // 2 + 6

    def text(dataset, where, field, mark, xy=(x, y)):
        return {"data": {"name": dataset}, "transform": [{"filter": where}],
                "mark": {"type": "text", **mark},
                "encoding": {"x": xy[0], "y": xy[1], "text": {"field": field, "type": "nominal"}}}

    layers = [lines, dots,
              text("nodes", "datum.layer == 0", "label", {"align": "right", "dx": -pad, "fontSize": font}),
              text("nodes", f"datum.layer > 0 && datum.layer < {out}", "label",
                   {"align": "right", "dx": -pad, "dy": 0, "fontSize": style.smaller(2)} if crowded else
                   {"align": "center", "dx": 0, "dy": -(pad + font // 2 - 2), "fontSize": font}),
              text("nodes", f"datum.layer == {out}", "label", {"align": "left", "dx": pad, "fontSize": font})]
    bold = {"fontWeight": "bold", "color": st_style.BLACK}
    if node_text:
        layers.append(text("nodes", "datum.text != ''", "text",
                           {"align": "left", "dx": pad, "dy": pad, "fontSize": font, **bold}))
    edges = edges.assign(text=[(edge_text or {}).get(k, "") for k in G.edges()],
                         mx=(edges.x + edges.x2) / 2, my=(edges.y + edges.y2) / 2)
    if edge_text:
        layers.append(text("edges", "datum.text != ''", "text", {"fontSize": style.smaller(1), "dy": -6, **bold},
                           xy=({**x, "field": "mx"}, {**y, "field": "my"})))
    if label_halo:
        layers = layers[:2] + [t for layer in layers[2:] for t in (_halo(layer, style), layer)]
    return {"$schema": "https://vega.github.io/schema/vega-lite/v6.json", "layer": layers,
            "datasets": {"edges": edges, "nodes": nodes}, "height": height, "width": width}


def _lit(lit: float, dim: float) -> dict:
    """Opacity ``lit`` where ``datum.lit``, else ``dim``."""
    return {"condition": {"test": "datum.lit", "value": lit}, "value": dim}


def _halo(layer: dict, style: st_style.ChartStyle) -> dict:
    """The same text layer drawn as a thick white outline, to sit underneath it."""
    mark = {**layer["mark"], "stroke": "white", "strokeWidth": 3 + style.font // 5,
            "strokeJoin": "round", "strokeOpacity": 0.9}
    return {**layer, "mark": mark}


_EDGE_BASE = {"x", "y", "x2", "y2", "name", "frm", "to", "value", "magnitude", "sign", "lit"}
_NODE_BASE = {"x", "y", "label", "node", "kind", "layer", "lit", "text", "fill", "shape"}


def _tip_of(field: str, title: str, numeric: bool = False) -> dict:
    return {"field": field, "type": "quantitative" if numeric else "nominal", "title": title,
            **({"format": ".6f"} if numeric else {})}


def _tip(frame: pd.DataFrame, column: str) -> dict:
    return _tip_of(column, column, numeric=pd.api.types.is_numeric_dtype(frame[column]))
