"""core.data.prepare(task="classification"): classes, 0/1 and one-hot targets, a stratified split
(docs/core-api.md, classification). The regression numbers are pinned by test_reference_numbers.py."""

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import train_test_split

from core import data


def _labels(p):
    """Class index of every training and test row, read back from the targets."""
    if p.y_train.shape[1] == 1:
        return p.y_train[:, 0].astype(int), p.y_test[:, 0].astype(int)
    return p.y_train.argmax(axis=1), p.y_test.argmax(axis=1)


def _frame(labels, seed=0):
    r = np.random.default_rng(seed)
    return pd.DataFrame({"a": r.normal(size=len(labels)), "b": r.uniform(1, 5, size=len(labels)),
                         "kind": labels}, index=pd.RangeIndex(1, len(labels) + 1))


def test_two_classes_give_one_column_of_zeros_and_ones(income):
    df = data.toy("moons", 200, 0.1, seed=0)
    p = data.prepare(df, ("x1", "x2"), "label", task="classification")
    assert p.task == "classification" and p.classes == (0, 1) and type(p.classes[0]) is int
    assert p.y_train.shape == (100, 1) and p.y_test.shape == (100, 1) and p.n_outputs == 1
    assert set(np.unique(np.vstack([p.y_train, p.y_test]))) == {0.0, 1.0}
    # 1.0 marks classes[1], row by row, in the order of the matrices
    np.testing.assert_array_equal(p.y_train[:, 0], (df.loc[p.train_rows, "label"] == 1).astype(float))
    np.testing.assert_array_equal(p.y_test[:, 0], (df.loc[p.test_rows, "label"] == 1).astype(float))
    np.testing.assert_array_equal(p.to_original_y(p.y_train), p.y_train)      # targets are not scaled
    np.testing.assert_array_equal(p.y_scale, [1.0])


def test_inputs_are_divided_by_the_training_rows_largest_absolute_value():
    df = data.toy("moons", 200, 0.1, seed=0)
    p = data.prepare(df, ("x1", "x2"), "label", task="classification")
    X_train = df.loc[p.train_rows, ["x1", "x2"]].to_numpy()
    np.testing.assert_array_equal(p.x_scale, np.abs(X_train).max(axis=0))
    np.testing.assert_array_equal(p.X_train_aug[:, 1:], X_train / p.x_scale)
    np.testing.assert_array_equal(p.X_train_aug[:, 0], 1.0)
    assert np.abs(p.X_train_aug[:, 1:]).max(axis=0).tolist() == [1.0, 1.0]
    assert p.X_train_aug[:, 1:].min() < -0.5          # negative inputs keep their sign


def test_three_classes_give_one_hot_rows():
    df = data.toy("three", 150, 0.1, seed=1)
    p = data.prepare(df, ("x1", "x2"), "label", task="classification")
    assert p.classes == (0, 1, 2) and p.y_train.shape == (75, 3) and p.n_outputs == 3
    for y, rows in ((p.y_train, p.train_rows), (p.y_test, p.test_rows)):
        assert set(np.unique(y)) == {0.0, 1.0} and (y.sum(axis=1) == 1.0).all()
        np.testing.assert_array_equal(y.argmax(axis=1), df.loc[rows, "label"].to_numpy())
    np.testing.assert_array_equal(p.y_scale, [1.0, 1.0, 1.0])


def test_the_split_is_stratified_so_each_class_keeps_its_share():
    df = data.toy("moons", 200, 0.1, seed=0)
    p = data.prepare(df, ("x1", "x2"), "label", task="classification")
    train, test = _labels(p)
    assert np.bincount(train).tolist() == [50, 50] and np.bincount(test).tolist() == [50, 50]
    # the same rows sklearn's stratified split picks with the same seed
    expected, _ = train_test_split(np.asarray(df.index), test_size=0.5, random_state=42, stratify=df["label"])
    np.testing.assert_array_equal(p.train_rows, expected)
    three = data.prepare(data.toy("three", 200), ("x1", "x2"), "label", task="classification")
    assert sorted(np.bincount(_labels(three)[0]).tolist()) == [33, 33, 34]


def test_text_labels_are_sorted_into_classes():
    labels = ["dog", "cat", "bird", "cat", "dog", "bird"] * 5
    p = data.prepare(_frame(labels), ("a", "b"), "kind", task="classification")
    assert p.classes == ("bird", "cat", "dog") and p.y_train.shape == (15, 3)
    np.testing.assert_array_equal(np.array(p.classes)[p.y_train.argmax(axis=1)],
                                  [labels[r - 1] for r in p.train_rows])
    two = data.prepare(_frame(["yes", "no"] * 10), ("a", "b"), "kind", task="classification")
    assert two.classes == ("no", "yes") and two.y_train.shape == (10, 1)
    np.testing.assert_array_equal(two.y_train[:, 0], [float(r % 2 == 1) for r in two.train_rows])


def test_numeric_labels_keep_their_values_as_class_names():
    p = data.prepare(_frame([7, 3] * 12), ("a", "b"), "kind", task="classification")
    assert p.classes == (3, 7) and all(type(c) is int for c in p.classes)
    np.testing.assert_array_equal(p.y_train[:, 0], [float(r % 2 == 1) for r in p.train_rows])
    floats = data.prepare(_frame([1.0, 0.0] * 12), ("a", "b"), "kind", task="classification")
    assert floats.classes == (0.0, 1.0) and type(floats.classes[0]) is float


def test_a_csv_with_a_text_label_column_can_be_classified():
    text = "a,b,kind\n" + "".join(f"{i},{i % 3},{'ab'[i % 2]}\n" for i in range(1, 21))
    p = data.prepare(data.read_table(text.encode()), ("a", "b"), "kind", task="classification")
    assert p.classes == ("a", "b") and p.X_train_aug.shape == (10, 3)


def test_rows_without_a_label_are_incomplete_rows():
    labels = ["x", "y"] * 10
    labels[2], labels[5] = "NA", " "
    df = _frame(labels)
    with pytest.raises(data.IncompleteRowsError, match=r"rows 3, 6\)") as err:
        data.prepare(df, ("a", "b"), "kind", task="classification")
    assert err.value.rows == [3, 6]
    p = data.prepare(df, ("a", "b"), "kind", task="classification", drop_incomplete=True)
    assert p.dropped_rows == (3, 6) and p.classes == ("x", "y")
    df.loc[4, "kind"] = None
    with pytest.raises(data.IncompleteRowsError, match=r"rows 3, 4, 6\)"):
        data.prepare(df, ("a", "b"), "kind", task="classification")


def test_a_class_missing_from_the_training_rows_is_named_with_what_to_try():
    labels = ["common"] * 38 + ["rare"] * 2
    with pytest.raises(data.DataError) as err:
        data.prepare(_frame(labels), ("a", "b"), "kind", test_size=0.95, task="classification")
    message = str(err.value)
    assert "'rare'" in message and "training" in message
    assert "split seed" in message and "more points" in message and "test fraction" in message


def test_a_class_with_a_single_row_cannot_be_split():
    with pytest.raises(data.DataError, match=r"Class 'rare' of column 'kind' has only one row"):
        data.prepare(_frame(["common"] * 19 + ["rare"]), ("a", "b"), "kind", task="classification")


@pytest.mark.parametrize("labels, words", [
    ([1] * 20, r"Column 'kind' holds only one class \(1\); classification needs at least two"),
    (list(range(11)) * 2, r"Column 'kind' has 11 different values; classification allows 2 to 10 classes"),
])
def test_one_class_or_more_than_ten_is_a_sentence(labels, words):
    with pytest.raises(data.DataError, match=words):
        data.prepare(_frame(labels), ("a", "b"), "kind", task="classification")


def test_ten_classes_are_allowed():
    p = data.prepare(_frame(list(range(10)) * 4), ("a", "b"), "kind", task="classification")
    assert p.classes == tuple(range(10)) and p.y_train.shape == (20, 10)


def test_a_test_set_too_small_to_hold_every_class_is_a_sentence():
    with pytest.raises(data.DataError, match="every class"):
        data.prepare(_frame(list(range(10)) * 3), ("a", "b"), "kind", test_size=0.1, task="classification")


def test_up_to_seven_input_columns_derived_from_x1_and_x2():
    df = data.toy("circle", 200, 0.05, seed=3)
    x1, x2 = df["x1"], df["x2"]
    df = df.assign(**{"x1²": x1**2, "x2²": x2**2, "x1x2": x1 * x2, "sin x1": np.sin(x1), "sin x2": np.sin(x2)})
    features = ("x1", "x2", "x1²", "x2²", "x1x2", "sin x1", "sin x2")
    p = data.prepare(df, features, "label", task="classification")
    assert p.n_inputs == 7 and p.X_train_aug.shape == (100, 8) and p.features == features
    np.testing.assert_array_equal(np.abs(p.X_train_aug[:, 1:]).max(axis=0), np.ones(7))


def test_regression_is_the_default_and_its_split_is_not_stratified(income):
    default, explicit = data.prepare(income), data.prepare(income, task="regression")
    assert default.task == explicit.task == "regression" and default.classes == ()
    for name in ("X_train_aug", "X_test_aug", "y_train", "y_test", "x_scale", "y_scale", "train_rows"):
        np.testing.assert_array_equal(getattr(default, name), getattr(explicit, name))
    _, _, rows, _ = train_test_split(income[["Education"]].to_numpy(), np.asarray(income.index),
                                     test_size=0.5, random_state=42)
    np.testing.assert_array_equal(default.train_rows, rows)


def test_a_text_target_still_cannot_be_predicted_as_a_number():
    with pytest.raises(data.DataError, match="'kind' is not numeric"):
        data.prepare(_frame(["x", "y"] * 10), ("a", "b"), "kind")


def test_features_must_still_be_numbers_for_classification():
    df = _frame(["x", "y"] * 10).assign(name=["p", "q"] * 10)
    with pytest.raises(data.DataError, match="'name' is not numeric"):
        data.prepare(df, ("a", "name"), "kind", task="classification")


def test_an_unknown_task_names_the_two_tasks(income):
    with pytest.raises(ValueError, match="'regression' or 'classification'"):
        data.prepare(income, task="clustering")


def test_eleven_text_classes_are_a_sentence_too():
    labels = [f"kind {chr(97 + i)}" for i in range(11)] * 2
    with pytest.raises(data.DataError, match=r"Column 'kind' has 11 different values; classification allows 2 to 10"):
        data.prepare(_frame(labels), ("a", "b"), "kind", task="classification")


def test_a_text_class_found_only_in_the_test_rows_is_named():
    labels = ["rare", "rare"] + ["x", "y"] * 24
    with pytest.raises(data.DataError, match=r"Class 'rare' has no row in the training set after the split"):
        data.prepare(_frame(labels), ("a", "b"), "kind", test_size=0.8, task="classification")


def test_a_text_feature_beside_a_text_label_names_the_column_and_a_value():
    df = _frame(["long", "short"] * 10).assign(color=["red", "blue"] * 10)
    with pytest.raises(data.DataError, match=r"Column 'color' is not numeric \(row 1 holds 'red'\)"):
        data.prepare(df, ("a", "color"), "kind", task="classification")


def test_one_numeric_feature_and_a_text_label_prepare():
    df = _frame(["long", "short"] * 10)[["a", "kind"]]
    p = data.prepare(df, ("a",), "kind", task="classification")
    assert p.classes == ("long", "short") and p.X_train_aug.shape == (10, 2) and p.y_train.shape == (10, 1)
