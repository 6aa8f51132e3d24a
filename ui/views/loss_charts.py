"""The Training page's charts over the epochs that the server draws: the seeds' spread, the
scikit-learn check; and the loss curves' and prediction lines' helpers the browser's views use
(``ui.views.frames``).

Pure: arrays in; DataFrames and Vega-Lite dicts out (see ``ui.views.vega``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ui.views import style as st_style
from ui.views import vega
from ui.views.downsample import downsample

MAX_LINES = 30          # training rows drawn in "predictions over the epochs" (in the browser)
LOSS_TITLE = "loss ½·Σ(y − ŷ)², scaled data (log scale)"

# ----------------------------------------------------------------------------- loss curves


def per_row(losses, rows) -> np.ndarray:
    """The summed losses (…, 2) divided by the rows they sum over, ``rows`` = (training, test).

    Training and test sets have different numbers of rows, and the lecture's loss is a sum: only
    the mean per row compares the two like with like.
    """
    with np.errstate(all="ignore"):
        return np.asarray(losses, dtype=float) / np.maximum(np.asarray(rows, dtype=float), 1)


def log_domain(values) -> list[float]:
    """A fixed log-scale range holding every positive finite value (so the axis never moves)."""
    v = np.asarray(values, dtype=float).ravel()
    v = v[np.isfinite(v) & (v > 0)]
    if not v.size:
        return [0.1, 10.0]
    lo, hi = float(v.min()), float(v.max())
    return [lo / 1.25, hi * 1.25] if hi > lo else [lo / 2, lo * 2]


# ----------------------------------------------------------------------------- predictions over epochs


def shown_rows(y, limit: int = MAX_LINES) -> np.ndarray:
    """Indices of at most ``limit`` rows spread evenly over the range of ``y`` (all when few)."""
    y = np.asarray(y, dtype=float).ravel()
    if len(y) <= limit:
        return np.arange(len(y))
    order = np.argsort(y, kind="stable")
    return np.sort(order[np.linspace(0, len(y) - 1, limit).round().astype(int)])


TRAJECTORY_POINTS = 240      # per line: smooth curves on a chart a few hundred pixels wide
TRAJECTORY_HEAD = 40         # the first kept epochs, where predictions move fastest, all kept


def trajectory_epochs(n_kept: int, points: int = TRAJECTORY_POINTS, head: int = TRAJECTORY_HEAD) -> np.ndarray:
    """Indices into the kept epochs for the prediction lines: the first ``head``, then evenly spaced."""
    if n_kept <= points:
        return np.arange(n_kept)
    rest = np.linspace(head, n_kept - 1, points - head).round().astype(int)
    return np.unique(np.concatenate([np.arange(head), rest]))


# ----------------------------------------------------------------------------- seed sensitivity


def seed_band_frame(loss_train, max_points: int = 1000) -> pd.DataFrame:
    """Per epoch over the seeds still finite: low (min), median and high (max) training loss."""
    L = np.asarray(loss_train, dtype=float)
    L = np.where(np.isfinite(L) & (L > 0), L, np.nan)
    alive = ~np.all(np.isnan(L), axis=1)
    epochs = np.flatnonzero(alive)
    L = L[alive]
    with np.errstate(all="ignore"):
        stats = np.column_stack([np.nanmin(L, axis=1), np.nanmedian(L, axis=1), np.nanmax(L, axis=1)])
    keep = downsample(stats, max_points)
    return pd.DataFrame({"epoch": epochs[keep], "low": stats[keep, 0], "median": stats[keep, 1],
                         "high": stats[keep, 2]})


def this_run_frame(loss_train, max_points: int = 1000) -> pd.DataFrame:
    """One seed's training loss (epoch, loss), finite epochs only, downsampled."""
    L = np.asarray(loss_train, dtype=float)
    ok = np.flatnonzero(np.isfinite(L) & (L > 0))
    keep = ok[downsample(L[ok], max_points)] if len(ok) else ok
    return pd.DataFrame({"epoch": keep, "loss": L[keep]})


def seed_chart(band: pd.DataFrame, this_run: pd.DataFrame, n_seeds: int, style=st_style.NORMAL) -> dict:
    """The range of training-loss curves over the seeds (shaded), their median, and this run's seed."""
    kinds = [f"range of {n_seeds} seeds", "their median", "this run"]
    colour = vega.n("kind", title=None, scale={"domain": kinds, "range": [st_style.SKY, st_style.BLUE,
                                                                      st_style.VERMILLION]},
                legend=vega.legend(style))
    x, log = vega.q("epoch", "epoch", axis={"format": ",d"}), {"type": "log"}
    area = {"data": {"name": "band"}, "mark": {"type": "area", "opacity": 0.45},
            "encoding": {"x": x, "y": vega.q("low", "training loss (log scale)", scale=log), "y2": {"field": "high"},
                         "color": colour,
                         "tooltip": [vega.tip("epoch", fmt=",d"), vega.tip("low", "lowest", ".6g"),
                                     vega.tip("median", fmt=".6g"), vega.tip("high", "highest", ".6g")]}}
    median = {"data": {"name": "median"}, "mark": {"type": "line", "strokeWidth": style.line},
              "encoding": {"x": x, "y": vega.q("median", scale=log), "color": colour}}
    mine = {"data": {"name": "run"}, "mark": {"type": "line", "strokeWidth": style.line, "strokeDash": [8, 4]},
            "encoding": {"x": x, "y": vega.q("loss", scale=log), "color": colour,
                         "tooltip": [vega.tip("epoch", fmt=",d"), vega.tip("loss", fmt=".6g")]}}
    datasets = {"band": band.assign(kind=kinds[0]), "median": band[["epoch", "median"]].assign(kind=kinds[1]),
                "run": this_run.assign(kind=kinds[2])}
    return vega.spec([area, median, mine], datasets, style, style.height)


def final_losses_frame(seeds, final_loss_test, seed: int) -> pd.DataFrame:
    """One row per seed that did not diverge: seed, final test loss, whether it is this run's seed."""
    seeds = np.asarray(seeds)
    loss = np.asarray(final_loss_test, dtype=float)
    ok = np.isfinite(loss)
    frame = pd.DataFrame({"seed": seeds[ok].astype(str), "loss": loss[ok],
                          "run": np.where(seeds[ok] == seed, "this run", "other seeds")})
    return frame.sort_values("loss", kind="stable").reset_index(drop=True)


def final_losses_chart(frame: pd.DataFrame, style=st_style.NORMAL) -> dict:
    """Each seed's final test loss as a dot, sorted; this run's seed stands out (colour and shape)."""
    runs = ["this run", "other seeds"]
    dots = {"data": {"name": "finals"},
            "mark": {"type": "point", "filled": True, "size": style.point * 1.5, "stroke": st_style.BLACK,
                     "strokeWidth": 0.6},
            "encoding": {"x": vega.q("loss", "final test loss (scaled data)", scale={"zero": False}),
                         "y": vega.n("seed", title="seed", sort=None, axis={"labelOverlap": False}),
                         "color": vega.n("run", scale={"domain": runs, "range": [st_style.VERMILLION, st_style.BLUE]},
                                     legend=vega.legend(style)),
                         "shape": vega.n("run", scale={"domain": runs, "range": ["diamond", "circle"]},
                                     legend=vega.legend(style)),
                         "tooltip": [vega.tip("seed", kind="nominal"), vega.tip("loss", "final test loss", ".6g")]}}
    return vega.spec([dots], {"finals": frame}, style, len(frame) * (style.font + 10) + 4 * style.font + 60)


CROSS_ENTROPY_TITLE = "loss −Σ y·log ŷ, training rows (log scale)"


def crosscheck_chart(epochs, ours, theirs, style=st_style.NORMAL, title: str = LOSS_TITLE) -> dict:
    """The app's training loss (solid) and scikit-learn's (dashed) against the epoch, log scale."""
    epochs, ours, theirs = (np.asarray(a, dtype=float) for a in (epochs, ours, theirs))
    keep = downsample(np.column_stack([ours, theirs]), 1000)
    who = ["this app", "scikit-learn"]
    frame = pd.DataFrame({"epoch": np.tile(epochs[keep], 2), "who": np.repeat(who, len(keep)),
                          "loss": np.concatenate([ours[keep], theirs[keep]])})
    frame = frame[np.isfinite(frame.loss) & (frame.loss > 0)]
    lines = {"data": {"name": "curves"}, "mark": {"type": "line", "strokeWidth": style.line},
             "encoding": {"x": vega.q("epoch", "epoch", axis={"format": ",d"}),
                          "y": vega.q("loss", title, scale={"type": "log", "domain": log_domain(frame.loss)}),
                          "color": vega.n("who", scale={"domain": who, "range": [st_style.BLUE, st_style.ORANGE]},
                                          legend=vega.legend(style)),
                          "strokeDash": vega.n("who", scale={"domain": who, "range": [[1, 0], [8, 5]]},
                                               legend=vega.legend(style)),
                          "tooltip": [vega.tip("who", kind="nominal"), vega.tip("epoch", fmt=",d"),
                                      vega.tip("loss", fmt=".10g")]}}
    return vega.spec([lines], {"curves": frame}, style, style.height)
