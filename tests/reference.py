"""The one independent implementation of the network, written plainly, for every test that needs one.

Nothing here imports ``core`` or any other part of the app: every number is computed one sample at a
time, the way the chain rule is written on a slide (forward through the layers, then each δ from the
one above it), and only then summed over the batch. Initial weights come from numpy's global
generator exactly as docs/core-api.md words it, and mini-batches from ``np.random.default_rng(seed).permutation``
once per epoch. Weights are a list, first hidden layer first, output layer last; row 0 of each is the
bias node's (its output is always 1).

Two losses (``kind``): "squared", ½ Σ (t − ŷ)² with a linear output ŷ = z, and "cross_entropy",
with ŷ = σ(z) for one output (−[t log ŷ + (1 − t) log(1 − ŷ)]) or ŷ = softmax(z) over several
(−Σ_k t_k log ŷ_k). For the cross-entropy the output delta is not taken from any shortcut: it is
the chain rule written out, ∂L/∂z_k = Σ_j ∂L/∂ŷ_j · ∂ŷ_j/∂z_k, with the loss's slope and the output's
Jacobian each from its definition. The formulas are the plain ones (no log-sum-exp), so use them
where |z| is moderate.
"""

import numpy as np


def activation(name):
    """``(g, g')`` written from their definitions."""
    if name == "sigmoid":
        g = lambda z: 1.0 / (1.0 + np.exp(-z))
        return g, lambda z: g(z) * (1.0 - g(z))
    if name == "tanh":
        return np.tanh, lambda z: 1.0 - np.tanh(z) ** 2
    if name == "relu":
        return (lambda z: np.where(z > 0, z, 0.0)), (lambda z: np.where(z > 0, 1.0, 0.0))
    raise AssertionError(name)


def init(seed, n_inputs, hidden, n_outputs=1):
    """docs/core-api.md: ``np.random.seed(seed)``, then ``np.random.randn(1 + fan-in, units)`` per layer in order."""
    state = np.random.get_state()
    try:
        np.random.seed(seed)
        widths = [n_inputs, *hidden, n_outputs]
        return [np.random.randn(widths[l] + 1, widths[l + 1]) for l in range(len(widths) - 1)]
    finally:
        np.random.set_state(state)


def output(z, kind="squared"):
    """One sample's ŷ from the output layer's z: z itself, σ(z) for one cross-entropy output, softmax over several."""
    if kind == "squared":
        return z
    if kind != "cross_entropy":
        raise AssertionError(kind)
    if len(z) == 1:
        return np.array([1.0 / (1.0 + np.exp(-z[0]))])
    e = [np.exp(zk) for zk in z]
    return np.array([ek / sum(e) for ek in e])


def sample_loss(t, y_hat, kind="squared"):
    """One sample's loss, from its definition."""
    if kind == "squared":
        return 0.5 * sum((tk - yk) ** 2 for tk, yk in zip(t, y_hat))
    if len(y_hat) == 1:
        return -(t[0] * np.log(y_hat[0]) + (1 - t[0]) * np.log(1 - y_hat[0]))
    return -sum(tk * np.log(yk) for tk, yk in zip(t, y_hat) if tk != 0)


def output_delta(z, t, y_hat, kind="squared"):
    """∂L/∂z of the output layer by the chain rule: Σ_j ∂L/∂ŷ_j · ∂ŷ_j/∂z_k."""
    K = len(z)
    if kind == "squared":
        slope = [y_hat[j] - t[j] for j in range(K)]                       # ∂(½(t − ŷ)²)/∂ŷ
        jacobian = [[1.0 if j == k else 0.0 for k in range(K)] for j in range(K)]   # ŷ = z
    elif K == 1:
        slope = [-t[0] / y_hat[0] + (1 - t[0]) / (1 - y_hat[0])]          # ∂/∂ŷ of −[t log ŷ + (1−t) log(1−ŷ)]
        jacobian = [[y_hat[0] * (1 - y_hat[0])]]                          # σ'(z) = σ(1 − σ)
    else:
        slope = [-t[j] / y_hat[j] for j in range(K)]                      # ∂/∂ŷ_j of −Σ t log ŷ
        jacobian = [[y_hat[j] * ((1.0 if j == k else 0.0) - y_hat[k]) for k in range(K)] for j in range(K)]
    return np.array([sum(slope[j] * jacobian[j][k] for j in range(K)) for k in range(K)])


def forward(x_aug, weights, act, kind="squared"):
    """One sample forward: per layer its input (bias first), z and u; the output's u is ``output(z, kind)``."""
    g, _ = activation(act)
    inputs, zs, us = [], [], []
    for l, W in enumerate(weights):
        inp = np.asarray(x_aug, dtype=float) if l == 0 else np.concatenate([[1.0], us[-1]])
        z = inp @ W
        inputs.append(inp)
        zs.append(z)
        us.append(g(z) if l < len(weights) - 1 else output(z, kind))
    return inputs, zs, us


def sample(x_aug, t, weights, act, kind="squared"):
    """One sample: per layer its input (bias first), z, u, δ and gradient term; and its loss."""
    _, g_prime = activation(act)
    inputs, zs, us = forward(x_aug, weights, act, kind)
    L = len(weights)
    deltas = [None] * L
    if kind == "squared":
        deltas[-1] = us[-1] - t                              # ∂(½(t − ŷ)²)/∂ŷ, ŷ = z (linear output)
    else:
        deltas[-1] = output_delta(zs[-1], t, us[-1], kind)
    for l in range(L - 1, 0, -1):
        # Unit i of layer l−1 feeds unit j of layer l through W_l[1 + i, j] (row 0: the bias node).
        deltas[l - 1] = g_prime(zs[l - 1]) * (weights[l][1:] @ deltas[l])
    terms = [np.outer(inputs[l], deltas[l]) for l in range(L)]
    loss = 0.5 * np.sum((t - us[-1]) ** 2) if kind == "squared" else sample_loss(t, us[-1], kind)
    return dict(inputs=inputs, z=zs, u=us, delta=deltas, terms=terms, loss=loss)


def penalty(weights, weight_decay):
    """(λ/2) Σ w² over every weight except the bias rows."""
    return 0.5 * weight_decay * sum(np.sum(W[1:] ** 2) for W in weights)


def batch(X_aug, Y, weights, act, weight_decay=0.0, kind="squared"):
    """A batch: the samples' values stacked, gradients summed, plus λ·W on non-bias rows; the objective."""
    samples = [sample(x, t, weights, act, kind) for x, t in zip(X_aug, Y)]
    stack = lambda key: [np.array([s[key][l] for s in samples]) for l in range(len(weights))]
    decay = []
    for W in weights:
        d = weight_decay * W.copy()
        d[0] = 0.0
        decay.append(d)
    data_grad = [sum(s["terms"][l] for s in samples) for l in range(len(weights))]
    loss = sum(s["loss"] for s in samples)
    return dict(z=stack("z"), u=stack("u"), delta=stack("delta"), terms=stack("terms"), decay=decay,
                dW=[gd + d for gd, d in zip(data_grad, decay)], loss=loss, penalty=penalty(weights, weight_decay))


def predict(X_aug, weights, act, kind="squared"):
    """ŷ of every row (N, N_O)."""
    return np.array([forward(x, weights, act, kind)[2][-1] for x in X_aug])


def loss(X_aug, Y, weights, act, kind="squared"):
    """L summed over the rows: ½ Σ_n (y_n − ŷ_n)², or the cross-entropy of every row."""
    if kind == "squared":
        return 0.5 * np.sum((Y - predict(X_aug, weights, act)) ** 2)
    return sum(sample_loss(t, y_hat, kind) for t, y_hat in zip(Y, predict(X_aug, weights, act, kind)))


def objective(X_aug, Y, weights, act, weight_decay=0.0, kind="squared"):
    """J = L + (λ/2) Σ w² (non-bias weights): what a step lowers."""
    return loss(X_aug, Y, weights, act, kind) + penalty(weights, weight_decay)


def train(X_train, y_train, X_test, y_test, weights, eta, epochs, act="sigmoid", batch_size=None,
          weight_decay=0.0, seed=321, kind="squared"):
    """Plain gradient descent. Returns losses (epochs+1, 2) with the weights before each epoch and
    after the last, every epoch's weights, and the batches each epoch used. It does not stop when
    the loss overflows: the later losses are then inf or nan (silence numpy's warnings to see them)."""
    N = len(X_train)
    minibatch = batch_size is not None and batch_size < N
    rng = np.random.default_rng(seed)
    losses, history, batches = [], [], []
    for _ in range(epochs):
        losses.append((loss(X_train, y_train, weights, act, kind), loss(X_test, y_test, weights, act, kind)))
        history.append(weights)
        order = rng.permutation(N) if minibatch else np.arange(N)
        size = batch_size if minibatch else N
        batches.append([order[i:i + size] for i in range(0, N, size)])
        for rows in batches[-1]:
            grads = batch(X_train[rows], y_train[rows], weights, act, weight_decay, kind)["dW"]
            weights = [W - eta * g for W, g in zip(weights, grads)]
    losses.append((loss(X_train, y_train, weights, act, kind), loss(X_test, y_test, weights, act, kind)))
    history.append(weights)
    return np.array(losses), history, batches
