"""The per-session cap on stored upload bytes, and freeing a session's files once it is gone.

Measured before (``python -m bench.fairness flood``): 40 direct 4.9 MB uploads in one session took
the server from 262 to 460 MB, and it stayed there after the session had closed and expired.
"""

from __future__ import annotations

import pytest
from starlette.exceptions import HTTPException

from ui.serve import uploads
from ui.serve.internals import MemoryUploadedFileManager, UploadedFileRec
from ui.serve.uploads import MB, UploadCap

BIG = int(4.9 * MB)


def rec(file_id: str, size: int = BIG) -> UploadedFileRec:
    return UploadedFileRec(file_id=file_id, name=f"{file_id}.csv", type="text/csv", data=b"1" * size)


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def capped():
    manager = MemoryUploadedFileManager("/_stcore/upload_file")
    active: set[str] = {"alice", "bob"}
    clock = Clock()
    cap = UploadCap(manager, active.__contains__, cap=12 * MB, grace_s=120, clock=clock)
    manager.add_file = cap.add_file
    yield manager, cap, active, clock
    for session in ("alice", "bob"):
        uploads._remember(session, None)


def test_two_files_of_the_maximum_fit_and_a_third_is_refused_with_a_sentence(capped):
    manager, cap, _, _ = capped
    manager.add_file(session_id="alice", file=rec("a1"))
    manager.add_file(session_id="alice", file=rec("a2"))
    with pytest.raises(HTTPException) as refused:
        manager.add_file(session_id="alice", file=rec("a3"))
    assert refused.value.status_code == 413
    sentence = ("That file (4.9 MB) was not accepted: this page already holds 9.8 MB of uploads and the "
                "limit is 12 MB per visitor. Remove a file from the uploader (its ✕) and try again.")
    assert refused.value.detail == sentence
    assert uploads.refused_for("alice") == sentence
    assert [f.file_id for f in manager.get_files("alice", ["a1", "a2", "a3"])] == ["a1", "a2"]
    assert cap.held("alice") == 2 * BIG


def test_one_session_at_its_cap_does_not_limit_another(capped):
    manager, _, _, _ = capped
    for f in ("a1", "a2"):
        manager.add_file(session_id="alice", file=rec(f))
    manager.add_file(session_id="bob", file=rec("b1"))
    assert uploads.refused_for("bob") is None
    assert len(manager.get_files("bob", ["b1"])) == 1


def test_uploading_the_same_file_again_replaces_it_instead_of_counting_twice(capped):
    manager, cap, _, _ = capped
    for _ in range(5):
        manager.add_file(session_id="alice", file=rec("a1"))
    assert cap.held("alice") == BIG


def test_after_removing_a_file_the_next_one_fits_and_the_sentence_goes(capped):
    manager, _, _, _ = capped
    for f in ("a1", "a2"):
        manager.add_file(session_id="alice", file=rec(f))
    with pytest.raises(HTTPException):
        manager.add_file(session_id="alice", file=rec("a3"))
    manager.remove_file("alice", "a1")                      # the uploader's ✕
    manager.add_file(session_id="alice", file=rec("a3"))
    assert uploads.refused_for("alice") is None


def test_a_session_gone_for_longer_than_the_reconnect_window_loses_its_files(capped):
    manager, cap, active, clock = capped
    manager.add_file(session_id="alice", file=rec("a1"))
    manager.add_file(session_id="bob", file=rec("b1"))
    active.discard("alice")                                  # alice closed her tab
    assert cap.sweep() == 0                                  # she may still come back
    clock.t = 60
    assert cap.sweep() == 0
    clock.t = 121
    assert cap.sweep() == BIG
    assert manager.get_files("alice", ["a1"]) == []
    assert len(manager.get_files("bob", ["b1"])) == 1       # bob is still here
    assert "alice" not in manager.file_storage


def test_a_session_that_reconnects_in_time_keeps_its_files(capped):
    manager, cap, active, clock = capped
    manager.add_file(session_id="alice", file=rec("a1"))
    active.discard("alice")
    cap.sweep()
    clock.t = 100
    active.add("alice")                                      # a network blip, then back
    cap.sweep()
    active.discard("alice")
    clock.t = 200
    assert cap.sweep() == 0                                  # the window starts again
    assert len(manager.get_files("alice", ["a1"])) == 1


def test_a_forgotten_file_leaves_the_servers_memory_at_once_and_nothing_else_does(capped):
    manager, cap, _, _ = capped
    for f in ("a1", "a2"):
        manager.add_file(session_id="alice", file=rec(f, 1000))
    manager.add_file(session_id="bob", file=rec("a1", 2000))       # the same id in another session
    assert uploads.free(manager, "alice", ["a1", "restored:abc"]) == 1000    # a restored file has no copy there
    assert [f.file_id for f in manager.get_files("alice", ["a1", "a2"])] == ["a2"]
    assert cap.held("alice") == 1000 and cap.held("bob") == 2000
    assert uploads.free(manager, "alice", ["a1"]) == 0


def test_outside_a_streamlit_server_apply_does_nothing():
    assert uploads.apply() is None
    assert uploads.refused_for() is None
