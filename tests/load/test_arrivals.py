"""The class arrives over the first seconds, as a lecture hall does, not all in one instant."""

from hypothesis import given, strategies as st

from bench.load import arrival_times


@given(n=st.integers(2, 200), over=st.floats(1.0, 60.0), seed=st.integers(0, 2**32 - 1))
def test_arrivals_are_sorted_and_inside_the_window(n, over, seed):
    times = arrival_times(n, over, seed)
    assert len(times) == n
    assert times == sorted(times)
    assert all(0 <= t <= over for t in times)


def test_forty_students_spread_over_ten_seconds():
    times = arrival_times(40, 10.0, 2024)
    assert len(set(times)) == 40
    assert times[-1] - times[0] > 7.0                     # not a burst
    per_second = [sum(k <= t < k + 1 for t in times) for k in range(10)]
    assert max(per_second) <= 10, per_second


def test_the_same_seed_gives_the_same_class():
    assert arrival_times(40, 10.0, 7) == arrival_times(40, 10.0, 7)
    assert arrival_times(40, 10.0, 7) != arrival_times(40, 10.0, 8)
