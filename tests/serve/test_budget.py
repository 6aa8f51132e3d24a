"""ui.serve.budget: a request is priced from its settings before it runs, and one that would keep the
class's shared server busy too long is reduced, with a sentence that says how."""

import pytest

from ui.serve import budget

LARGEST = dict(hidden=(32, 32, 32), batch_size=1, train_rows=15, all_rows=30, epochs=20_000)


def test_the_lecture_run_costs_milliseconds_and_the_largest_a_few_seconds():
    assert budget.run_seconds((3,), None, 15, 30, 1000) < 0.05
    assert 3 < budget.run_seconds(**LARGEST) < budget.REQUEST_S


def test_twenty_seeds_of_a_small_network_fit_and_are_not_reduced():
    plan = budget.seed_plan(budget.run_seconds((3,), None, 15, 30, 1000), 13, 20, 1000)
    assert plan == budget.SeedPlan(20, 1000, None)


def test_fewer_seeds_when_twenty_would_not_fit_but_five_would():
    plan = budget.seed_plan(1.0, 129, 20, 5000, budget_s=6.0)    # 20 seeds: 10 s at half a run each
    assert plan.seeds == 12 and plan.epochs == 5000
    assert plan.note == ("20 seeds for 5,000 epochs would keep the class's shared server busy for about 10 "
                         "seconds, so 12 seeds were trained instead of 20.")


def test_the_first_epochs_only_when_not_even_five_seeds_fit():
    run = budget.run_seconds(**LARGEST)
    weights = budget.n_weights(2, (32, 32, 32))
    plan = budget.seed_plan(run, weights, 20, 20_000)
    assert plan.seeds == budget.MIN_SEEDS and plan.epochs < 20_000
    assert budget.seeds_seconds(run * plan.epochs / 20_000, plan.seeds, weights) <= budget.REQUEST_S + 1e-9
    assert plan.note.endswith(f"so 5 seeds were trained over the first {plan.epochs:,} epochs.")
    assert "minutes" in plan.note


@pytest.mark.parametrize("hidden, expected", [((3,), 13), ((8, 4), 3 * 8 + 9 * 4 + 5), ((32, 32, 32), 2241)])
def test_weights_are_counted_with_their_biases(hidden, expected):
    assert budget.n_weights(2, hidden) == expected
