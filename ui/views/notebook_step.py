"""The notebook's sections 3b–9: one step of backprop by hand, then the training loop and the loss curve.

Each function appends one section's cells to a ``notebook_cells.Cells``. Section 3b (fast-forward to
the epoch the app shows) is written only when ``step_epoch`` > 0; it then defines the training loop's
functions, which section 8 otherwise defines. Sections 4–7 take the step the Backprop page shows —
with mini-batches, on the first batch of its epoch — and print its numbers.
"""

from __future__ import annotations

from ui.views.notebook_cells import Cells, comment
from ui.views.symbols import subscript as tex


def _loop_functions(cells: Cells) -> None:
    """``gradients`` and ``train_epoch``: sections 4–7 as loops over the layers."""
    decay = " + decay(W_l)" if cells.decay else ""
    if cells.batched:
        epoch = f'''
def train_epoch(W, rng):
    """One epoch: the rows in a new random order, cut into batches of B, one update per batch."""
    order = rng.permutation(N) if B < N else np.arange(N)
    for start in range(0, N, B):
        rows = order[start:start + B]
        dW = gradients(W, X_train_aug[rows], y_train[rows])
        W = [W_l - eta * (dW_l{decay}) for W_l, dW_l in zip(W, dW)]
    return W
'''
    else:
        epoch = f'''
def train_epoch(W):
    """One epoch of full-batch gradient descent: W ← W − η·∂L/∂W for every layer."""
    dW = gradients(W, X_train_aug, y_train)
    return [W_l - eta * (dW_l{decay}) for W_l, dW_l in zip(W, dW)]
'''
    delta_O = ("output(inputs[-1] @ W[-1]) - y   # δ_O = ŷ − y" if cells.classify
               else "-(y - inputs[-1] @ W[-1])    # δ_O")
    cells.code('''
def gradients(W, X_aug, y):
    """∂L/∂W for every layer of W (output last) on the rows X_aug, y: sections 4 and 6 as loops."""
    inputs, zs = [X_aug], []             # inputs[l]: what layer l receives, bias column first
    for W_l in W[:-1]:
        zs.append(inputs[-1] @ W_l)
        inputs.append(augment(g(zs[-1])))
    delta = ''' + delta_O + '''
    dW = [None] * len(W)
    for l in reversed(range(len(W))):
        dW[l] = inputs[l].T @ delta      # ∂L/∂W_l = [1, u]ᵀ · δ_l
        if l > 0:                        # δ one layer down; W[l]'s bias row 0 passes nothing back
            delta = g_prime(zs[l - 1], inputs[l][:, 1:]) * (delta @ W[l][1:].T)
    return dW

''' + epoch)


def fast_forward(cells: Cells) -> None:
    cells.md(f"""
## 3b. Fast-forward to epoch {cells.epoch}

The app shows the step of epoch {cells.epoch}, that is, after {cells.epoch} epochs of training. The next cell
defines the training loop's two functions (section 8 explains them; they repeat sections 4–7 for
any number of layers) and runs {cells.epoch} epochs with them. Sections 4–7 then take the next step by
hand.
""")
    _loop_functions(cells)
    rng = "rng = np.random.default_rng(seed)   # one generator for the whole run\n" if cells.batched else ""
    arg = "rng" if cells.batched else ""
    unpack = ", ".join(f"W_{n}" for n in cells.layers)
    cells.code(f"""
k = {cells.epoch}                               # the epoch the app shows
W = [W_l.copy() for W_l in W_init]
{rng}for e in range(k):
    W = train_epoch(W{', ' + arg if arg else ''})
{unpack} = W
for name, W_l in zip({[f"W_{n}" for n in cells.layers]!r}, W):
    print(name, "at epoch", k, "=", W_l, sep="\\n")
""")


def forward(cells: Cells) -> None:
    out_md = ("The output unit applies σ (two classes: the probability of `classes[1]`) or softmax over "
              "the K output units (K classes, one probability each)." if cells.classify else
              "The linear output unit passes $z_O$ on unchanged.")
    eqs = []
    prev = r"X_{\mathrm{aug}}"
    for name in cells.names:
        eqs.append(f"z_{tex(name)} = {prev}\\, W_{tex(name)}, \\qquad u_{tex(name)} = g(z_{tex(name)})")
        prev = f"[1, u_{tex(name)}]"
    if not cells.classify:
        eqs.append(f"z_O = {prev}\\, W_O, \\qquad \\hat y = u_O = z_O")
    else:
        eqs.append(f"z_O = {prev}\\, W_O, \\qquad \\hat y = u_O = \\sigma(z_O) \\text{{ or }} "
                   "\\mathrm{softmax}(z_O)")
    eq_md = "\n".join(f"$${e}$$" for e in eqs)
    batch_md = ""
    if cells.batched:
        batch_md = (f"\n\nWith mini-batches the update of this step uses only the rows of the first batch of "
                    f"epoch {cells.epoch}: a random order of the N training rows (one per epoch, from "
                    "`np.random.default_rng(seed)`), cut into batches of B. The forward pass covers every "
                    "training row, so that the loss is the app's; the backward pass takes the batch's rows.")
    cells.md(f"""
## 4. Forward pass

Every training row at once: one matrix product per layer, then the activation. {out_md}

{eq_md}{batch_md}
""")
    lines = []
    if cells.batched:
        if not cells.epoch:
            lines.append(comment("rng = np.random.default_rng(seed)", "one generator for the whole run"))
        lines += [comment("order = rng.permutation(N) if B < N else np.arange(N)", f"epoch {cells.epoch}'s row order"),
                  comment("rows = order[:B]", "the first batch: this step's rows"),
                  "print(\"this step's batch, as row labels:\", *df.index[train_idx[rows]])", ""]
    prev = "X_train_aug"
    for name in cells.names:
        lines.append(comment(f"z_{name} = {prev} @ W_{name}", f"(N, N_{name})"))
        lines.append(f"u_{name} = g(z_{name})")
        prev = f"augment(u_{name})"
    lines.append(comment(f"z_O = {prev} @ W_O", "(N, N_O)"))
    if cells.classify:
        lines.append(comment("y_hat = output(z_O)", "σ(z_O), or softmax(z_O) for 3+ classes"))
        lines.append('print("ŷ[:3] =", y_hat[:3, 0] if y_hat.shape[1] == 1 else y_hat[:3], sep="\\n")')
    else:
        lines.append(comment("y_hat = z_O", "the output unit is linear: u_O = z_O"))
        lines.append('print("ŷ[:3] =", y_hat[:3, 0])')
    cells.code("\n".join(lines))


def loss(cells: Cells) -> None:
    decay_md = ""
    if cells.decay:
        decay_md = (r" Weight decay adds $\frac{\lambda}{2} \sum w^2$ over every weight except the bias "
                    "rows to what gradient descent minimises; the loss the app shows and plots is $L$ "
                    "alone.")
    if cells.classify:
        cells.md(rf"""
## 5. Loss

$$L = -\sum_n \sum_k y_{{n,k}} \log \hat y_{{n,k}}$$

the cross-entropy (with one output $-\sum_n [y_n \log \hat y_n + (1 - y_n) \log(1 - \hat y_n)]$): −log of the
probability each row gives its own class, a sum over the training rows, not a mean. `cross_entropy`
computes it from $z_O$, so a probability rounded to 0 never gives log 0.{decay_md}
""")
        lines = ["L = cross_entropy(y_train, z_O)", 'print(f"L = {L:.8f}")']
        if cells.batched:
            lines += ["L_batch = cross_entropy(y_train[rows], z_O[rows])",
                      'print(f"this batch\'s part of L: {L_batch:.8f}")']
    else:
        cells.md(rf"""
## 5. Loss

$$L = \frac{{1}}{{2}} \sum_n (y_n - \hat y_n)^2$$

a sum over the training rows, not a mean.{decay_md}
""")
        lines = ["L = 0.5 * np.sum((y_train - y_hat) ** 2)", 'print(f"L = {L:.8f}")']
        if cells.batched:
            lines += ["L_batch = 0.5 * np.sum((y_train[rows] - y_hat[rows]) ** 2)",
                      'print(f"this batch\'s part of L: {L_batch:.8f}")']
    if cells.decay:
        lines += [f"penalty = 0.5 * lam * sum(np.sum(W_l[1:] ** 2) for W_l in {cells.w_list()})",
                  'print(f"decay term (λ/2) Σ w² = {penalty:.8f}")']
    cells.code("\n".join(lines))


def backward(cells: Cells) -> None:
    names = cells.names
    below = [r"X_{\mathrm{aug}}"] + [f"[1, u_{tex(n)}]" for n in names]   # what each layer receives
    above = names[1:] + ["O"]
    eqs = [r"\delta_O = \frac{\partial L}{\partial z_O} = \hat y - y" if cells.classify
           else r"\delta_O = \frac{\partial L}{\partial z_O} = -(y - z_O)"]
    for name, up in reversed(list(zip(names, above))):
        eqs.append(f"\\delta_{tex(name)} = g'(z_{tex(name)}) \\odot "
                   f"\\left(\\delta_{tex(up)}\\, \\overline{{W}}_{tex(up)}^\\top\\right)")
    grads = [f"\\frac{{\\partial L}}{{\\partial W_{tex(l)}}} = {b}^\\top \\delta_{tex(l)}"
             for l, b in zip(reversed(cells.layers), reversed(below))]
    recursion = ("" if len(names) == 1 else
                 "\n\nThe same equation, $\\delta_{\\text{this}} = g'(z_{\\text{this}}) \\odot "
                 "(\\delta_{\\text{above}}\\, \\overline{W}_{\\text{above}}^\\top)$, is used once per hidden "
                 "layer, from the top down: each layer's δ comes from the δ of the layer above it.")
    decay_md = ("\n\nWeight decay adds $\\lambda W$ to each gradient, with the bias row 0 left out "
                "(`decay` in section 3)." if cells.decay else "")
    batch_md = ("\n\nOnly the batch's rows (`[rows]`) enter the deltas and gradients of this step."
                if cells.batched else "")
    if cells.classify:
        batch_md = ("\n\nThe cross-entropy's slope ∂L/∂ŷ and the output's slope ∂ŷ/∂z_O multiply into "
                    "$\\delta_O = \\hat y - y$, for σ with two classes and for softmax with more: the σ′ that "
                    "would slow a saturated output cancels. From $\\delta_O$ down, the backward pass is the "
                    "lecture's.") + batch_md
    cells.md(f"""
## 6. Backward pass

The deltas $\\delta = \\partial L / \\partial z$, from the output back. Row 0 of a weight matrix
belongs to the bias node, which has no inputs, so it passes no error back: the product uses
$\\overline{{W}}$, that is $W$ without its row 0 (`W[1:]` in the code).

{chr(10).join(f"$${e}$$" for e in eqs)}{recursion}

The gradients: each weight's is $\\delta_j \\cdot u_i$ (the delta of the unit it feeds times the
output of the node it comes from), summed over the rows. The bias node's output 1 comes first,
so the bias gradient is row 0 — the published demo stacked it last, which is the mistake the app's
gradient check catches.

{chr(10).join(f"$${e}$$" for e in grads)}{decay_md}{batch_md}
""")
    sel = "[rows]" if cells.batched else ""
    if cells.classify:
        lines = [f"delta_O = y_hat{sel} - y_train{sel}" + " " * 10 + "# δ_O = ∂L/∂z_O = ŷ − y: (rows, N_O)"]
    else:
        lines = [f"delta_O = -(y_train{sel} - z_O{sel})" + " " * 10 + "# δ_O = ∂L/∂z_O: (rows, N_O)"]
    for name, up in reversed(list(zip(names, above))):
        lines.append(f"delta_{name} = g_prime(z_{name}{sel}, u_{name}{sel}) * (delta_{up} @ W_{up}[1:].T)"
                     f"   # δ_{name}: row 0 of W_{up} (bias) passes nothing back")
    ins = ["X_train_aug" + sel] + [f"augment(u_{n}{sel})" for n in names]
    decay = {l: f" + decay(W_{l})" if cells.decay else "" for l in cells.layers}
    for layer, inp in zip(reversed(cells.layers), reversed(ins)):
        lines.append(f"dW_{layer} = {inp}.T @ delta_{layer}{decay[layer]}")
    lines.append("")
    for layer in cells.layers:
        lines.append(f'print("∂L/∂W_{layer} =", dW_{layer}, sep="\\n")')
    cells.code("\n".join(lines))


def update(cells: Cells) -> None:
    after = ("the loss over all training rows after this one update"
             if cells.batched else "the loss with the new weights")
    cells.md(rf"""
## 7. One step of gradient descent

$$W \leftarrow W - \eta\, \frac{{\partial L}}{{\partial W}}$$

for every weight matrix. To see {after}, the forward pass runs again: `predict` is section 4 as a
loop over the layers, for any list of weight matrices.
""")
    lines = [f"W_{l}_new = W_{l} - eta * dW_{l}" for l in cells.layers]
    what = "z_O (ŷ = output(z_O))" if cells.classify else "ŷ"
    new = (f"cross_entropy(y_train, predict({cells.w_list('_new')}, X_train_aug))" if cells.classify
           else f"0.5 * np.sum((y_train - predict({cells.w_list('_new')}, X_train_aug)) ** 2)")
    lines += ["", "", "def predict(W, X_aug):",
              f'    """{what} for the layers W = {cells.w_list()}: section 4 as a loop over the layers."""',
              "    u = X_aug", "    for W_l in W[:-1]:", "        u = augment(g(u @ W_l))",
              "    return u @ W[-1]", "", "",
              f"L_new = {new}",
              'print(f"loss before the step: L = {L:.8f}")',
              'print(f"loss after the step:  L = {L_new:.8f}")']
    cells.code("\n".join(lines))


def training(cells: Cells) -> None:
    batch_md = (" Each epoch visits the training rows in a new random order (from one "
                "`np.random.default_rng(seed)` for the whole run) in batches of B rows, one update per "
                "batch; the last batch may be smaller." if cells.batched else
                " Every epoch is one full-batch step: all training rows, one update.")
    where = ("" if not cells.epoch else " (defined in section 3b)")
    cells.md(f"""
## 8. Training

The step of sections 4–7, repeated for `epochs` epochs from the initial weights.{batch_md}
`gradients` is sections 4 and 6 as loops over the layers and `train_epoch` applies section 7{where}.
The loss is recorded with the weights *before* each epoch's update, and once more for the final
weights. If the loss overflows (η too large), training stops there, as in the app.
""")
    if not cells.epoch:
        _loop_functions(cells)
    rng = "rng = np.random.default_rng(seed)       # the same generator as in the app: one per run\n" \
        if cells.batched else ""
    arg = "W, rng" if cells.batched else "W"
    if cells.classify:
        loss_def = '''def loss(W, X_aug, y):
    """L = −Σ y log ŷ over the rows X_aug, y, from z_O (without the decay term)."""
    return cross_entropy(y, predict(W, X_aug))'''
        scores = '''
    print(f"final training accuracy = {accuracy(y_train, output(predict(W, X_train_aug))):.4f}")
    print(f"final test accuracy     = {accuracy(y_test, output(predict(W, X_test_aug))):.4f}")'''
    else:
        loss_def = '''def loss(W, X_aug, y):
    """L = ½ Σ (y − ŷ)² over the rows X_aug, y (without the decay term)."""
    return 0.5 * np.sum((y - predict(W, X_aug)) ** 2)'''
        scores = ""
    cells.code(f'''
{loss_def}


W = [W_l.copy() for W_l in W_init]
{rng}loss_train, loss_test = [], []          # before each epoch's update; the last entry: the final weights
diverged_at = None
with np.errstate(all="ignore"):         # a too-large η overflows: stop at the first non-finite loss
    for e in range(epochs + 1):
        L_e = loss(W, X_train_aug, y_train)
        if not np.isfinite(L_e):
            diverged_at = e
            break
        loss_train.append(L_e)
        loss_test.append(loss(W, X_test_aug, y_test))
        if e < epochs:
            W = train_epoch({arg})
if diverged_at is not None:
    print(f"Training diverged at epoch {{diverged_at}}: the loss overflowed. Try a smaller learning rate η.")
    if loss_train:
        print(f"last finite losses (epoch {{len(loss_train) - 1}}): "
              f"training {{loss_train[-1]:.8g}}, test {{loss_test[-1]:.8g}}")
else:
    print(f"final training loss = {{loss_train[-1]:.8f}}")
    print(f"final test loss     = {{loss_test[-1]:.8f}}"){scores}
''')


def curve(cells: Cells) -> None:
    title = "loss L = −Σ y log ŷ" if cells.classify else "loss L = ½ Σ (y − ŷ)²"
    cells.md("""
## 9. The loss curve

Training and test loss over the epochs, on a log scale (at most 1,000 points per line).
""")
    cells.code('''
keep = np.unique(np.linspace(0, len(loss_train) - 1, 1000).astype(int))
curves = pd.DataFrame({"epoch": keep, "training": np.array(loss_train)[keep],
                       "test": np.array(loss_test)[keep]})
alt.Chart(curves.melt("epoch", var_name="rows", value_name="loss")).mark_line().encode(
    x=alt.X("epoch:Q", title="epoch"),
    y=alt.Y("loss:Q", scale=alt.Scale(type="log"), title=''' + repr(title) + '''),
    color=alt.Color("rows:N", title=None),
).properties(width=500, height=300, title="Loss during training")
''')

