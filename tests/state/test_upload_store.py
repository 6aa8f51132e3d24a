"""The upload store behind ?upload=: one browser's file, bounded in bytes, entries and time."""

import re

import pytest

from tests.fakes import Clock
from ui.serve.internals import generate_xsrf_token_string
from ui.state.upload_store import FORGOTTEN_KEPT, TOKEN, TTL_SECONDS, UploadStore, browser_id


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(clock):
    return UploadStore(max_bytes=1000, ttl=TTL_SECONDS, per_browser=3, clock=clock)


def test_a_token_is_128_random_bits_and_opens_the_file_for_its_browser_only(store):
    token = store.put("alice", "class.csv", b"a,b\n1,2\n", {"target": "b"})
    assert TOKEN.fullmatch(token) and len(token) == 22           # 16 bytes, URL-safe base64
    entry = store.get(token, "alice")
    assert (entry.name, entry.content, entry.choice) == ("class.csv", b"a,b\n1,2\n", {"target": "b"})
    assert store.get(token, "bob") is None and store.get(token, None) is None


def test_tokens_differ_every_time(store):
    assert len({store.put("alice", "x.csv", b"1") for _ in range(3)}) == 3


@pytest.mark.parametrize("bad", ["", "short", "x" * 23, "../../etc/passwd", "a b" * 8, None, 12])
def test_a_malformed_token_opens_nothing(store, bad):
    store.put("alice", "x.csv", b"1")
    assert store.get(bad, "alice") is None


def test_an_upload_is_kept_one_hour_after_its_last_use_and_each_use_renews_it(store, clock):
    assert TTL_SECONDS == 3600
    token = store.put("alice", "x.csv", b"123")
    for _ in range(5):                       # used every 59 minutes: kept for hours
        clock.now += 59 * 60
        assert store.get(token, "alice") is not None
    clock.now += 3600 - 1
    store.remember_choice(token, "alice", {"target": "y"})         # a use too
    clock.now += 3600 - 1
    assert store.touch(token, "alice") and store.get(token, "alice").choice == {"target": "y"}
    clock.now += 3600 + 1                    # an hour and a second without use
    assert store.get(token, "alice") is None and len(store) == 0


def test_an_upload_nobody_uses_is_gone_an_hour_after_it_was_made_however_often_others_look(store, clock):
    token = store.put("alice", "x.csv", b"123")
    clock.now += 3000
    assert store.get(token, "bob") is None and not store.touch(token, "bob")     # another browser: no use
    clock.now += 601
    assert store.get(token, "alice") is None


def test_forgetting_deletes_the_file_at_once_and_only_its_browser_learns_it_was_forgotten(store, clock):
    token = store.put("alice", "x.csv", b"secret")
    assert not store.forget(token, "bob") and store.get(token, "alice") is not None     # not bob's to forget
    assert store.forget(token, "alice")
    assert store.get(token, "alice") is None and len(store) == 0 and store.total_bytes() == 0
    assert store.was_forgotten(token, "alice") and not store.was_forgotten(token, "bob")
    assert not store.was_forgotten(store.put("alice", "y.csv", b"1"), "alice")
    assert not store.forget("A" * 22, "alice") and not store.was_forgotten("A" * 22, "alice")


def test_forgotten_tokens_are_remembered_within_a_bound(clock):
    store = UploadStore(clock=clock)
    tokens = []
    for i in range(FORGOTTEN_KEPT + 5):
        tokens.append(store.put("alice", f"{i}.csv", b"1"))
        assert store.forget(tokens[-1], "alice")
    remembered = [store.was_forgotten(t, "alice") for t in tokens]
    assert remembered == [False] * 5 + [True] * FORGOTTEN_KEPT           # the oldest go first


def test_the_total_stays_under_the_cap_least_recently_used_first(store):
    a = store.put("alice", "a.csv", b"a" * 400)
    b = store.put("bob", "b.csv", b"b" * 400)
    store.get(a, "alice")                                  # a was used last: b goes first
    c = store.put("carol", "c.csv", b"c" * 400)
    assert store.total_bytes() <= 1000
    assert store.get(b, "bob") is None and store.get(a, "alice") and store.get(c, "carol")


def test_a_file_larger_than_the_whole_store_is_not_kept(store):
    assert store.put("alice", "big.csv", b"x" * 1001) is None and len(store) == 0


def test_one_browser_keeps_at_most_three_uploads(store):
    tokens = [store.put("alice", f"{i}.csv", b"1") for i in range(5)]
    assert [store.get(t, "alice") is not None for t in tokens] == [False, False, True, True, True]


def test_forty_uploads_in_one_session_stay_within_the_cap(store):
    token = None
    for i in range(40):                # a session replaces its own upload: the old one is dropped
        if token:
            store.drop(token, "alice")
        token = store.put("alice", f"{i}.csv", b"x" * 300)
    assert len(store) == 1 and store.total_bytes() == 300


def test_only_its_browser_can_drop_or_change_an_upload(store):
    token = store.put("alice", "x.csv", b"1", {"target": "y"})
    store.drop(token, "bob")
    store.remember_choice(token, "bob", {"target": "evil"})
    assert store.get(token, "alice").choice == {"target": "y"}
    store.remember_choice(token, "alice", {"target": "z"})
    assert store.get(token, "alice").choice == {"target": "z"}
    store.drop(token, "alice")
    assert store.get(token, "alice") is None


def test_without_a_browser_id_nothing_is_kept(store):
    assert store.put(None, "x.csv", b"1") is None and store.put("", "x.csv", b"1") is None


def test_the_browser_id_is_the_xsrf_token_under_its_mask():
    """Streamlit masks its XSRF token afresh whenever it sets the cookie; the browser stays the same."""
    secret, other = bytes(range(16)), bytes(range(1, 17))
    first, again = generate_xsrf_token_string(secret), generate_xsrf_token_string(secret)
    assert first != again                                     # new mask
    assert browser_id(first) == browser_id(again) != browser_id(generate_xsrf_token_string(other))
    assert re.fullmatch(r"[0-9a-f]{64}", browser_id(first))
    assert secret.hex() not in browser_id(first)              # the secret itself is not kept


@pytest.mark.parametrize("cookie", [None, "", "garbage", "1|00|00|0", "2|zz|00|1", "2|00112233|0011|1",
                                    '"2|00112233|' + "00" * 16])
def test_a_missing_or_odd_cookie_gives_no_browser_id(cookie):
    assert browser_id(cookie) is None
