"""The class's question bank as plain functions: every question is one the store takes, and its
answer is what core computes for the step on screen (the lecture's seed 9, η 0.01, epoch 0)."""

import csv
import io

import numpy as np
import pytest

from core import data, network, step as core_step, training
from ui.serve.classes import QuestionSummary, checked_question
from ui.views import class_questions, step_model
from ui.views.class_questions import for_run, for_step, for_steps, summary_csv


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
    table = list(csv.reader(io.StringIO(summary_csv(rows))))
    assert table == [["question", "text", "choice", "answers", "right answer"],
                     ["1", "Will L go down?", "yes", "12", "yes"], ["1", "Will L go down?", "no", "3", ""],
                     ["2", "Sign of δ_O?", "positive", "1", ""], ["2", "Sign of δ_O?", "negative", "0", "yes"],
                     ["2", "Sign of δ_O?", "zero", "0", ""]]
