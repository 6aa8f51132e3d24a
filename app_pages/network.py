"""Network: the architecture about to be trained, its weights at any epoch, its shapes and equations."""

import numpy as np
import streamlit as st

from core import graph, network
from ui.draw import page, widgets
from ui.draw.chart import show_chart
from ui.draw.matrix import show_matrices
from ui.serve import cache
from ui.state.params import ETA_CHOICES, PAGE, choice_param
from ui.views import classes as class_view
from ui.views import unit_maps
from ui.views import messages, numbers, style, tables
from ui.views import network as network_view
from ui.views.safe import md

s = page.header(
    "Network",
    "Inputs left, the prediction right; every line is a weight the training adjusts. Scrub through "
    "the epochs to watch them change, or show the gradients: which way each weight is pushed.",
)
ds, p, h = cache.dataset(s), cache.prepared(s), cache.history(s)
sty = style.chart_style(s.projector)
n_train = p.X_train_aug.shape[0]

c_show, c_epoch, c_sample = st.columns([3, 2.2, 1] if s.projector else [2.3, 3, 1], gap="medium",
                                       vertical_alignment="bottom")
show = c_show.segmented_control(
    "Lines show", network_view.SHOW, default=network_view.SHOW[0], required=True, key="show",
    bind="query-params", help="Colour and width of each line: the weight, its gradient ∂L/∂W at this "
                              "epoch, or how far it has moved since epoch 0.") or network_view.SHOW[0]   # ?show= (empty) gives None
sample_param = PAGE["sample"].within(1, n_train)
sample = widgets.index_picker(
    c_sample, sample_param,
    help=f"The training sample (1 … {n_train}) whose values z and u appear when you hover over or tap "
         "a node.")
epoch = widgets.epoch_slider(h, container=c_epoch)
page.page_param_notices({"show": choice_param("show", network_view.SHOW), "sample": sample_param},
                        {"show": show, "sample": sample})

if h.diverged_at is not None:
    st.warning(messages.divergence(h, s.eta, messages.smaller_eta(s.eta, ETA_CHOICES)),
               icon=":material/trending_up:")

snap = h.at(epoch)
fwd, back = network.passes(p.X_train_aug, p.y_train, list(snap.weights), s.activation, s.weight_decay, s.loss)
q = network_view.Quantities.of(snap.weights, back.dW, [w[0] for w in h.weights])
if not q.finite():
    st.error("Some gradients overflowed at this epoch; they are drawn as zero. Choose an earlier "
             "epoch or a smaller learning rate.")
    q = q.drawable()
outputs = [f"{p.target} = {c}" for c in p.classes] if p.n_outputs > 1 else [p.target]
G = graph.architecture(p.n_inputs, h.hidden, p.n_outputs, p.features, outputs)
n = sample - 1
nodes = network_view.node_tooltips(G, p.X_train_aug[n], [z[n] for z in fwd.z], [u[n] for u in fwd.u], p.y_train[n])
show_chart(network_view.network_chart, G, q, show, nodes, sty, style=sty)
st.caption("Blue solid line = positive, vermilion dashed = negative; the thicker, the larger. Squares "
           "are bias nodes (always 1). Hover over or tap a line for its name, weight and gradient, a node "
           f"for z and u of training sample n = {sample} (data row {p.train_rows[n]}).")
if show == network_view.SHOW[1]:
    st.caption("Gradient descent moves every weight *against* its gradient, W ← W − η·∂L/∂W: a "
               "positive (blue) gradient pulls the weight down, a negative one pushes it up."
               + (f" With weight decay λ = {s.weight_decay:g} the gradient includes λW (not for biases)."
                  if s.weight_decay else ""))
if show == network_view.SHOW[2] and epoch == 0:
    st.info("At epoch 0 nothing has changed yet: move the epoch slider.", icon=":material/arrow_forward:")
if s.classifies and h.hidden and p.n_inputs >= 2:
    st.subheader("What each hidden unit computes")
    show_chart(unit_maps.maps, p, tuple(snap.weights), s.activation, (ds.label(p.features[0]), ds.label(p.features[1])),
               sty, style=sty)
    st.caption(f"Each hidden unit's output u over the input plane at epoch {epoch}, one small map per unit "
               "(first hidden layer first). The output unit combines these pictures into the decision boundary: "
               "the deeper the layer, the more bent its maps can be.")

row = st.container(horizontal=True)
row.metric(f"Epoch (of {h.last_epoch:,})", f"{epoch:,}")
row.metric("Training loss L", f"{snap.loss_train:.6g}")
row.metric("Test loss", f"{snap.loss_test:.6g}")
st.caption((f"L = −Σ y·log ŷ, the cross-entropy summed over the {n_train} training rows" if s.classifies else
            f"L = ½·Σ(y − ŷ)² summed over the {n_train} training rows (scaled data)") + "; the test loss is the same "
           f"sum over the {len(p.y_test)} test rows, so compare the two per row on the Training page.")

what = network_view.PREFIX[show]
depth = len(h.hidden)
names = graph.matrix_names(depth)
shown = []            # (matrix, row labels, column labels, caption): drawn below as one piece
for l, (name, M) in enumerate(zip(names, q.shown(show))):
    below = tables.input_labels(p.n_inputs) if l == 0 else tables.unit_labels(h.hidden[l - 1], True, l, depth)
    above = tables.output_labels(p.n_outputs, "ŷ") if name == "W_O" else tables.unit_labels(h.hidden[l], False, l + 1, depth)
    unit = "hⱼ" if depth == 1 else f"h{graph.sup(graph.layer_name(l + 1, depth))}ⱼ"
    where = "" if name == "W_O" else (f": row i = from xᵢ, column j = to {unit}" if l == 0 else
                                      ": row i = from unit i of the layer below, column j = to unit j")
    shown.append((M, below, above, f"{what}{name} {tables.dims(M)} at epoch {epoch}{where}"))
for l in range(depth):
    name = graph.layer_name(l + 1, depth)
    shown.append((np.vstack([fwd.z[l][n], fwd.u[l][n]]), [f"z_{name}", f"u_{name} = g(z_{name})"],
                  tables.unit_labels(h.hidden[l], False, l + 1, depth),
                  f"Row n = {sample} of z_{name} {tables.dims(fwd.z[l])} and of u_{name} {tables.dims(fwd.u[l])}: "
                  f"hidden layer {name} for training sample n = {sample} at epoch {epoch}"))
show_matrices(shown, numbers.digits_for(s.projector), s.projector)
unit = md(ds.units.get(p.target, ""))
fmt = numbers.fixed
y_hat = fwd.z[-1][n]
if s.classifies:
    st.markdown(class_view.sample_sentence(sample, fwd.y_hat[n], p.y_train[n], p.classes))
else:
    st.markdown(f"Sample n = {sample}: prediction ŷ = z_O = **{fmt(y_hat[0])}** (scaled), that is "
                f"{fmt(p.to_original_y(y_hat)[0], 2)} {unit}; target y = **{fmt(p.y_train[n, 0])}**, that is "
                f"{fmt(p.to_original_y(p.y_train[n])[0], 2)} {unit} of {md(p.target)}.")

st.subheader("Variables and their shapes")
st.markdown(network_view.shapes_markdown(n_train, p.n_inputs, h.hidden, p.n_outputs))
st.subheader(f"Forward pass, g = {s.activation}")
lines = network_view.forward_latex(s.activation, n_train, p.n_inputs, h.hidden, p.n_outputs, s.loss)
left, right = st.columns(2, gap="large") if not s.projector else (st.container(), st.container())
for line in lines[:2 * (depth + 1)]:
    left.latex(line)
right.markdown("One unit j of each layer for sample n, written out:")
for line in lines[2 * (depth + 1):]:
    right.latex(line)
right.markdown("Row 0 of each weight matrix holds the bias weights: each layer's bias node always outputs 1.")
page.next_page()
