"""A classification run as the browser draws it: the decision boundary and the scores at any epoch.

The counterpart of ``ui.views.frames`` for classification (pure: a History and a Prepared in, a
JSON-ready dict out). Each shipped frame carries, besides its weights and printed numbers, the
network's predicted probabilities on a grid over the input plane (``grid``): the browser only
colours the cells, so the boundary it draws is exactly the network's own prediction, derived
inputs (x1², sin x1, …) included.

The plane is the first two inputs (x1, x2 of a toy set, or an upload's first two features); derived
inputs are computed from them on the grid; any further features of an upload are held at their
median over all rows.
"""

from __future__ import annotations

import numpy as np

from core import network
from ui.views import classes as class_view
from ui.views import derived, frames, loss_charts, vega

GRID = 32                  # cells per side of the boundary
GRID_BUDGET = 1_200_000    # bytes of float32 probabilities per run: fewer frames for many classes
MARGIN = 0.1               # how far the plane reaches beyond the rows (share of their range)
SCORE_NAMES = ("Training accuracy", "Training cross-entropy per row", "Test accuracy", "Test cross-entropy per row")


def derived_names(features) -> tuple[str, ...]:
    """The derived inputs (link names) among ``features``, when the first two are x1 and x2."""
    if tuple(features[:2]) != derived.BASE:
        return ()
    by_column = {column: name for name, (column, _) in derived.DERIVED.items()}
    names = tuple(by_column.get(f) for f in features[2:])
    return names if all(names) else ()


def plane(p, resolution: int = GRID, margin: float = MARGIN) -> tuple[np.ndarray, np.ndarray]:
    """The grid's axes (original units of the first two inputs), spanning every row plus ``margin``."""
    X_all = p.to_original_X(np.vstack([p.X_train_aug, p.X_test_aug]))
    axes = []
    for c in (0, 1):
        lo, hi = X_all[:, c].min(), X_all[:, c].max()
        pad = margin * (hi - lo) if hi > lo else 1.0
        axes.append(np.linspace(lo - pad, hi + pad, resolution))
    return axes[0], axes[1]


def grid_inputs(p, x1, x2) -> np.ndarray:
    """Every cell of the plane as a row of the network's inputs, original units: (n2·n1, N_I), x1
    varying fastest (row j of the grid is x2[j])."""
    g1, g2 = np.meshgrid(x1, x2)
    names = derived_names(p.features)
    base = np.column_stack([g1.ravel(), g2.ravel()])
    if names or p.n_inputs == 2:
        return derived.expand(base, names)
    X_all = p.to_original_X(np.vstack([p.X_train_aug, p.X_test_aug]))
    X = np.tile(np.median(X_all, axis=0), (len(base), 1))
    X[:, :2] = base
    return X


def grid_probabilities(p, weights, activation: str, X_grid) -> np.ndarray:
    """(cells, N_O) the network's probabilities on the grid: ŷ of the forward pass with the cross-entropy."""
    return network.forward_pass(p.scale_X(X_grid), list(weights), activation, "cross_entropy").y_hat


def _scores(p, y_hat_train, y_hat_test, loss_train, loss_test) -> list[list[str]]:
    out = []
    for yt, ys, lt, ls in zip(y_hat_train, y_hat_test, loss_train, loss_test):
        tr = class_view.score_values(p.y_train, yt, lt)
        te = class_view.score_values(p.y_test, ys, ls)
        out.append(class_view.score_text(*tr) + class_view.score_text(*te))
    return out


def _note(h, epoch: int) -> str:
    if epoch == h.last_epoch and h.diverged_at is not None:
        return (f"Training diverged at epoch {h.diverged_at:,}: from there the numbers were too large for a "
                f"computer to hold, so every chart ends at epoch {h.last_epoch:,}.")
    return ""


def one_frame(p, h, epoch: int) -> dict:
    """The numbers, weights and grid at one exact epoch (a paused page between shipped frames)."""
    snap = h.at(epoch)
    X_grid = grid_inputs(p, *plane(p)) if p.n_inputs >= 2 else None
    return {"epoch": int(epoch), "head": frames.heading(epoch, h.last_epoch, h.diverged_at is not None),
            "text": _scores(p, [snap.y_hat_train], [snap.y_hat_test], [snap.loss_train], [snap.loss_test])[0],
            "loss": frames.dots(p, snap), "note": _note(h, epoch),
            "weights": frames.f32(np.concatenate([w.ravel() for w in snap.weights])),
            "grid": frames.f32(grid_probabilities(p, snap.weights, h.activation, X_grid) if X_grid is not None else [])}


def build(p, h, labels) -> dict:
    """Everything the browser needs to draw the classification views at any epoch of ``h``.

    ``labels``: each feature's name (user text); the plane's axes are the first two.
    """
    last, diverged = h.last_epoch, h.diverged_at is not None
    kept = h.kept_predictions()
    flat = p.n_inputs < 2                           # one input: no plane to draw
    x1, x2 = plane(p) if not flat else (np.zeros(0), np.zeros(0))
    X_grid = grid_inputs(p, x1, x2) if not flat else None
    cells, K = (0 if flat else X_grid.shape[0]), p.n_outputs
    n_weights = sum(r * c for r, c in h.shapes)
    limit = min(frames.max_frames(n_weights), max(2, GRID_BUDGET // (4 * max(cells, 1) * K)))
    pick = frames.frame_picks(len(kept.epochs), limit)
    epochs = kept.epochs[pick].astype(int)
    weights = [[w[i] for w in h.weights] for i in pick]
    train, test = list(kept.train[pick]), list(kept.test[pick])
    if epochs[-1] != last:                          # training diverged between two kept epochs
        snap = h.at(last)
        epochs = np.append(epochs, last)
        weights.append(list(snap.weights))
        train.append(snap.y_hat_train)
        test.append(snap.y_hat_test)
    W = np.stack([np.concatenate([w.ravel() for w in ws]) for ws in weights])
    grid = np.zeros(0) if flat else np.stack([grid_probabilities(p, ws, h.activation, X_grid) for ws in weights])
    losses = h.losses[epochs]
    rows = (len(p.y_train), len(p.y_test))
    said = [_note(h, int(e)) for e in epochs]
    notes = sorted(set(said) - {""})
    X = np.vstack([p.to_original_X(p.X_train_aug), p.to_original_X(p.X_test_aug)])[:, :2]
    X = X if not flat else np.column_stack([X[:, 0], np.zeros(len(X))])
    cls = np.concatenate([class_view.class_index(p.y_train), class_view.class_index(p.y_test)])
    keep = vega.subsample(len(cls))
    run = {
        "kind": "classification", "last": int(last), "diverged": diverged, "activation": h.activation,
        "shapes": [list(map(int, s)) for s in h.shapes], "rows": list(rows),
        "frames": {"epoch": epochs.tolist(), "weights": frames.f32(W),
                   "head": [frames.heading(int(e), last, diverged) for e in epochs],
                   "text": _scores(p, train, test, losses[:, 0], losses[:, 1]),
                   "note": [notes.index(n) if n else -1 for n in said],
                   "loss": frames.f32(loss_charts.per_row(losses, rows))},
        "curve": frames._curve(h.losses, rows),
        "notes": notes,
        "score_names": list(SCORE_NAMES),
        "labels": {"features": [str(v) for v in labels[:2]], "target": str(p.target), "unit": ""},
        "boundary": None if flat else {"x1": [float(v) for v in x1], "x2": [float(v) for v in x2], "outputs": int(K),
                     "classes": [str(c) for c in p.classes], "grid": frames.f32(grid),
                     "points": {"x": frames.f32(X[keep]), "class": cls[keep].astype(int).tolist(),
                                "n_train": int(np.sum(keep < rows[0]))}},
    }
    run["id"] = frames.run_id(run)
    return run


def decode_grid(run: dict) -> np.ndarray:
    """The payload's grids back as (frames, n2, n1, N_O) numbers (what the browser reads)."""
    import base64
    b = run["boundary"]
    values = np.frombuffer(base64.b64decode(b["grid"]), dtype="<f4")
    return values.reshape(len(run["frames"]["epoch"]), len(b["x2"]), len(b["x1"]), b["outputs"])
