"""The training loop written the way the lecture demo wrote it: the baseline for ``make bench``.

Forward on the test rows, forward on the training rows, backprop, update; ``np.hstack`` builds
``[1, u_H]`` every time and sigmoid' is computed from ``exp``. It records the losses and the
training predictions in Python lists, as the demo did for its plots.
"""

import numpy as np


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def sigmoid_prime(z):
    return np.exp(-z) / (1 + np.exp(-z)) ** 2


def demo_train(X_train_aug, y_train, X_test_aug, y_test, W_H, W_O, eta, epochs):
    loss_train, loss_test, y_hat_train = [], [], []
    for _ in range(epochs):
        z_H = X_test_aug @ W_H
        u_H = sigmoid(z_H)
        z_O = np.hstack([np.ones((u_H.shape[0], 1)), u_H]) @ W_O
        loss_test.append(0.5 * np.sum((y_test - z_O) ** 2))

        z_H = X_train_aug @ W_H
        u_H = sigmoid(z_H)
        u_H_aug = np.hstack([np.ones((u_H.shape[0], 1)), u_H])
        z_O = u_H_aug @ W_O
        loss_train.append(0.5 * np.sum((y_train - z_O) ** 2))
        y_hat_train.append(z_O)

        delta_O = -(y_train - z_O)
        delta_H = sigmoid_prime(z_H) * (delta_O @ W_O[1:].T)
        dW_O = u_H_aug.T @ delta_O
        dW_H = X_train_aug.T @ delta_H
        W_H = W_H - eta * dW_H
        W_O = W_O - eta * dW_O
    return np.array(loss_train), np.array(loss_test), np.array(y_hat_train), W_H, W_O
