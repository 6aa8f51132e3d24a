"""The class's question bank as plain functions: every question is one the store takes, and its
answer is what core computes for the step on screen (the lecture's seed 9, η 0.01, epoch 0)."""

import csv
import io
import math

import numpy as np
import pytest

from core import data, network, step as core_step, training
from ui.serve.classes import QuestionSummary, checked_question
from ui.views import class_questions, exports, step_model
from ui.views.class_questions import for_run, for_step, for_steps, summary_frame


@pytest.fixture(scope="module")
def prepared():
    return data.prepare(data.load_income())


def context(prepared, n=4, j=2, eta=0.01, hidden=3):
    W_H, W_O = network.init_weights(2, hidden, 1, 9)
    s = core_step.one_step(prepared.X_train_aug, prepared.y_train, W_H, W_O, eta, "sigmoid")
    return step_model.Context(s, n, j, 0, list(prepared.train_rows))


@pytest.fixture(scope="module")
def lecture(prepared):
    return context(prepared)


@pytest.mark.parametrize("step_no", range(1, 7))
def test_every_step_has_a_question_the_class_store_takes(lecture, step_no):
    questions = for_step(lecture, step_no)
    assert questions
    for q in questions:
        checked_question(q)                     # raises if the store would refuse it
        assert q["answer"] in q["choices"] and q["explain"]


def test_the_forward_question_has_y_hat_of_the_chosen_sample_among_four(lecture):
    [q] = for_step(lecture, 1)
    y_hat = lecture.step.forward.y_hat[3, 0]
    assert q["answer"] == f"{y_hat:.2f}" and len(q["choices"]) == 4
    assert "sample n = 4" in q["text"]


def test_the_loss_question_says_yes_when_the_update_lowers_it_and_no_when_eta_overshoots(prepared):
    [small] = for_step(context(prepared, eta=0.01), 2)
    assert small["answer"] == "yes"                     # 3.5226 → 2.4415 in the lecture
    [large] = for_step(context(prepared, eta=10.0), 2)
    s = context(prepared, eta=10.0).step
    assert large["answer"] == ("yes" if s.loss_after < s.loss else "no")


def test_the_delta_questions_follow_the_sign_core_computes(lecture):
    [out] = for_step(lecture, 3)
    delta_O = lecture.step.backward.delta[-1][3, 0]
    assert out["answer"] == ("positive" if delta_O > 0 else "negative")
    [hidden] = for_step(lecture, 4)
    delta_h2 = lecture.step.backward.delta[0][3, 1]
    assert "h₂" in hidden["text"] and hidden["answer"] == ("positive" if delta_h2 > 0 else "negative")


def test_the_weight_that_moves_most_is_the_largest_gradient(lecture):
    [q] = for_step(lecture, 5)
    dW_O = lecture.step.backward.dW[-1][:, 0]
    assert q["choices"] == [f"W_O[{i},1]" for i in range(4)]
    assert q["answer"] == f"W_O[{int(np.argmax(np.abs(dW_O)))},1]"


def test_the_update_asks_which_way_a_weight_goes_and_whether_the_loss_falls(lecture):
    way, loss = for_step(lecture, 6)
    old, new = lecture.step.weights[-1][1, 0], lecture.step.weights_new[-1][1, 0]
    assert way["answer"] == ("up" if new > old else "down")
    assert loss == for_step(lecture, 2)[0]


def test_a_wide_output_layer_offers_at_most_twelve_weights(prepared):
    [q] = for_step(context(prepared, hidden=32), 5)
    assert len(q["choices"]) == class_questions.MAX_WEIGHTS
    checked_question(q)


def test_all_steps_offer_each_question_once(lecture):
    questions = for_steps(lecture, range(1, 7))
    assert len(questions) == 6                           # step 6's loss question is step 2's
    assert len({q["text"] for q in questions}) == 6


def test_the_runs_questions_follow_its_losses(prepared):
    calm = training.train(prepared, 3, 0.01, 300, 9)
    rose, per_row = for_run(calm, len(prepared.y_test))
    assert rose["answer"] == ("yes" if (np.diff(calm.losses[:, 0]) > 0).any() else "no")
    test, train = calm.losses[300, 1] / len(prepared.y_test), calm.losses[300, 0] / calm.n_train
    assert per_row["answer"] == ("test rows" if test > train else "training rows")
    jumpy = training.train(prepared, 3, 0.05, 300, 9, batch_size=2)      # 64 rises in 300 epochs
    assert for_run(jumpy, len(prepared.y_test))[0]["answer"] == "yes"
    assert "first from epoch" in for_run(jumpy, len(prepared.y_test))[0]["explain"]
    for q in for_run(calm, len(prepared.y_test)) + for_run(jumpy, 0):
        checked_question(q)
    assert len(for_run(jumpy, 0)) == 1                       # no test rows: no comparison


def test_the_summary_has_each_question_choice_and_count_and_no_follower():
    rows = [QuestionSummary("Will L go down?", ["yes", "no"], {"yes": 12, "no": 3}, "yes"),
            QuestionSummary("Sign of δ_O?", ["positive", "negative", "zero"], {"positive": 1}, "negative")]
    table = list(csv.reader(io.StringIO(exports.to_csv(summary_frame(rows)))))
    assert table == [["question", "text", "choice", "answers", "right answer"],
                     ["1", "Will L go down?", "yes", "12", "yes"], ["1", "Will L go down?", "no", "3", ""],
                     ["2", "Sign of δ_O?", "positive", "1", ""], ["2", "Sign of δ_O?", "negative", "0", "yes"],
                     ["2", "Sign of δ_O?", "zero", "0", ""]]


def test_a_summary_cell_a_spreadsheet_would_run_is_written_as_text():
    rows = [QuestionSummary("=1+1 or @SUM?", ["-0.5", "+0.5"], {"-0.5": 2}, "+0.5")]
    table = list(csv.reader(io.StringIO(exports.to_csv(summary_frame(rows)))))
    assert [r[1:3] for r in table[1:]] == [["'=1+1 or @SUM?", "'-0.5"], ["'=1+1 or @SUM?", "'+0.5"]]


# ----------------------------------------------------------------------------- the classification lesson

def class_context(dataset="moons", hidden=(3,), n=5, eta=0.5, seed=9):
    from ui.state import toy
    p = toy.prepared(dataset, 60, 0.1, 0, (), 42, 0.5)
    weights = network.init_layers(p.n_inputs, hidden, p.n_outputs, seed)
    s = core_step.gradient_step(p.X_train_aug, p.y_train, weights, eta, "sigmoid", 0.0, "cross_entropy")
    return p, s, step_model.Context(s, n, 2, 0, list(p.train_rows))


def probabilities_by_hand(x, weights) -> list[float]:
    """One row's class probabilities with plain loops: sigmoid hidden units, then σ (one output) or
    softmax; for one output the probabilities of both classes, [1 − ŷ, ŷ]."""
    a = list(x)
    for k, W in enumerate(weights):
        z = [W[0][c] + sum(a[r] * W[r + 1][c] for r in range(len(a))) for c in range(len(W[0]))]
        a = [1 / (1 + math.exp(-v)) for v in z] if k < len(weights) - 1 else z
    if len(a) == 1:
        p = 1 / (1 + math.exp(-a[0]))
        return [1 - p, p]
    e = [math.exp(v - max(a)) for v in a]
    return [v / sum(e) for v in e]


def own_class(y_row) -> int:
    return int(y_row[0] > 0.5) if len(y_row) == 1 else max(range(len(y_row)), key=lambda k: y_row[k])


def picked(probs) -> int:
    """The class a row's probabilities pick: the first of the largest."""
    return max(range(len(probs)), key=lambda k: (probs[k], -k))


def accuracy_by_hand(X_aug, Y, weights) -> float:
    right = 0
    for x, y in zip(X_aug.tolist(), Y.tolist()):
        right += picked(probabilities_by_hand(x[1:], [w.tolist() for w in weights])) == own_class(y)
    return right / len(Y)


def by_text(questions, words: str) -> dict:
    [q] = [q for q in questions if words in q["text"]]
    return q


@pytest.mark.parametrize("dataset,hidden,n", [("moons", (3,), 5), ("moons", (), 2), ("three", (4,), 5),
                                              ("three", (2, 3), 7), ("xor", (4,), 11)])
def test_the_classification_questions_answer_what_a_plain_loop_computes(dataset, hidden, n):
    p, s, ctx = class_context(dataset, hidden, n)
    questions = for_steps(ctx, range(1, 7), p.classes)
    for q in questions:
        checked_question(q)                     # raises if the store would refuse it
        assert q["answer"] in q["choices"] and q["explain"]
    r = n - 1
    probs = probabilities_by_hand(p.X_train_aug[r, 1:].tolist(), [w.tolist() for w in s.weights])
    predicted = by_text(for_step(ctx, 1, p.classes), "which class does the network predict")
    assert predicted["choices"] == [str(c) for c in p.classes]
    assert predicted["answer"] == str(p.classes[picked(probs)])
    k = own_class(p.y_train[r].tolist())
    y_hat = probs[1] if len(p.classes) == 2 else probs[k]
    y = float(p.y_train[r, 0]) if len(p.classes) == 2 else 1.0
    delta = by_text(for_step(ctx, 3, p.classes), "Output delta")
    assert delta["answer"] == f"{y_hat - y:.2f}" and "ŷ − y" in delta["explain"]
    before, after = accuracy_by_hand(p.X_train_aug, p.y_train, s.weights), \
        accuracy_by_hand(p.X_train_aug, p.y_train, s.weights_new)
    for step_no in (2, 6):
        up = by_text(for_step(ctx, step_no, p.classes), "accuracy")
        assert up["answer"] == ("up" if after > before else "down" if after < before else "it stays")
        assert f"{100 * before:.1f} % to {100 * after:.1f} %" in up["explain"]
    assert not [q for q in questions if "ŷ, to two decimals" in q["text"]]      # no regression ŷ question


def test_the_classification_questions_cover_an_accuracy_that_moves_and_one_that_stays():
    answers = {by_text(for_step(class_context(d, h, eta=eta)[2], 6, class_context(d, h)[0].classes),
                       "accuracy")["answer"] for d, h, eta in (("moons", (3,), 0.5), ("moons", (), 0.5),
                                                               ("three", (4,), 0.5))}
    assert {"it stays", "down"} <= answers


def test_the_regression_lesson_asks_none_of_the_classification_questions(lecture):
    texts = " ".join(q["text"] for q in for_steps(lecture, range(1, 7)))
    assert "class" not in texts and "accuracy" not in texts


def test_the_classification_run_asks_which_rows_are_classified_better():
    from ui.state import toy
    p = toy.prepared("moons", 60, 0.3, 0, (), 42, 0.5)
    h = training.train(p, (4,), 0.5, 200, 9, loss="cross_entropy")
    questions = for_run(h, len(p.y_test), (p.y_train, p.y_test))
    [better] = [q for q in questions if "accuracy" in q["text"]]
    snap = h.at(h.last_epoch)
    train = sum(picked([1 - v[0], v[0]]) == own_class(y) for v, y in zip(snap.y_hat_train.tolist(),
                                                                      p.y_train.tolist())) / len(p.y_train)
    test = sum(picked([1 - v[0], v[0]]) == own_class(y) for v, y in zip(snap.y_hat_test.tolist(),
                                                                    p.y_test.tolist())) / len(p.y_test)
    shown = f"{100 * train:.1f} %", f"{100 * test:.1f} %"
    assert better["answer"] == ("the same" if shown[0] == shown[1] else
                                "training rows" if train > test else "test rows")
    assert f"training {shown[0]}, test {shown[1]}" in better["explain"]
    checked_question(better)
    assert len(for_run(h, len(p.y_test))) == 2                    # no targets: the regression lesson's two
