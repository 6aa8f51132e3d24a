"""The sidebar's data choice: the bundled Income2 rows, or a CSV the student uploads.

An upload lives in this session (``st.session_state``) and, so that a reload does not lose it, in
the server's small upload store (``ui.state.upload_store``): bound to this browser, named by a
random token in the address (``?upload=…``), kept an hour after its last use, never written to
disk and never in a cache other sessions read. *Forget my file* deletes it at once. A file, a
column choice or a split the app cannot use gets one sentence saying what is wrong, and the app
keeps the last data and settings that worked.
"""

from __future__ import annotations

import hashlib
from typing import NamedTuple

import pandas as pd
import streamlit as st

from core import data
from core.data import FEATURES, TARGET
from ui.state import upload_store
from ui.views import safe

BUNDLED, OWN = "Income2 (bundled)", "Your CSV file"
MAX_FEATURES = 4
LINK_KEY = "upload"              # ?upload=<token>: this browser's kept upload
_UPLOAD = "_upload"              # the last file that parsed: Upload
_WORKED = "_data_worked"         # (DataChoice, split, test): the last upload settings that prepared
_FAILED = "_upload_failed"       # ((file_id, task), message) of the last file refused
_NOTICES = "_data_notices"       # [(kind, Markdown)] for the page, shown once (ui.draw.page.header)
_PENDING = PENDING = "_data_pending"   # widget values to set before the widgets are drawn (a fallback)
_LINK_READ = "_upload_link_read"  # this session has looked at ?upload= once
_KEPT_CHOICE = "_upload_kept_choice"
_UPLOADER = "_uploader_generation"   # a new, empty file uploader after each Forget my file
_FORGOTTEN = "_forgotten_file_ids"   # Streamlit's copies of forgotten files, for ui.serve.uploads to free
KEPT_FOR = "for an hour after its last use"           # how long the server keeps an upload, in sentences


class Upload(NamedTuple):
    """A parsed upload: ``key`` identifies its content (digest), ``name`` is user text, ``token``
    names it in the address and the upload store (where it may not be, if it could not be kept)."""

    file_id: str
    key: str
    name: str
    table: pd.DataFrame
    token: str | None = None


class DataChoice(NamedTuple):
    """Which data the app uses: ``data`` is "income" or an upload's key."""

    data: str = "income"
    features: tuple[str, ...] = FEATURES
    target: str = TARGET
    drop: bool = False


INCOME = DataChoice()


def current_upload() -> Upload | None:
    return st.session_state.get(_UPLOAD)


def say_error(exc: Exception) -> None:
    """A DataError's sentence, shown literally (it may quote the user's own column names)."""
    st.error(safe.md(str(exc), 600), icon=":material/error:")


def notice(kind: str, text: str) -> None:
    """A sentence (Markdown written by the app, user text escaped) for the page's next header."""
    st.session_state.setdefault(_NOTICES, []).append((kind, text))


def pop_notices() -> list[tuple[str, str]]:
    """The notices waiting for this run's page: ("warning" | "info", Markdown), each shown once."""
    return st.session_state.pop(_NOTICES, [])


def apply_pending() -> None:
    """Put back the settings a fallback chose (before the sidebar draws its widgets)."""
    for key, value in st.session_state.pop(_PENDING, {}).items():
        st.session_state[key] = value


def _browser() -> str | None:
    """This browser's id for the upload store (None without Streamlit's XSRF cookie)."""
    try:
        return upload_store.browser_id(st.context.cookies.get("_streamlit_xsrf"))
    except Exception:          # no cookies outside a browser session (bare runs)
        return None


def _parse(content: bytes, task: str = "regression") -> tuple[pd.DataFrame, list[str]]:
    """The table and its numeric columns; DataError with a sentence when the app cannot use it for ``task``."""
    table = data.read_table(content)
    numeric = data.numeric_columns(table)
    too_few = _too_few_numbers(numeric, table, task)
    if too_few:
        raise data.DataError(too_few)
    return table, numeric


def _too_few_numbers(numeric: list[str], table: pd.DataFrame, task: str) -> str | None:
    """None if ``task`` can use a table with these numeric columns; else the sentence that says why not.
    Regression needs two numeric columns; classification one, beside a column of classes."""
    if len(numeric) >= 2 or (task == "classification" and numeric and table.shape[1] >= 2):
        return None
    n = len(numeric)
    if task == "classification":
        return (f"The file has {n} numeric column{'s' if n != 1 else ''} and {table.shape[1]} in all; classification "
                "needs a feature column of numbers and another column of classes.")
    return (f"The file has {n} numeric column{'s' if n != 1 else ''}; the network needs at least two (features "
            "and a target). Upload a table with numbers in at least two columns.")


def _guess_target(table: pd.DataFrame, numeric: list[str]) -> str:
    """The usual target: the last numeric column, or, with a single one (classification), the last other column."""
    others = [c for c in table.columns if c not in numeric]
    return numeric[-1] if len(numeric) >= 2 or not others else others[-1]


def _choose_columns(table: pd.DataFrame, numeric: list[str], kept: dict | None = None) -> None:
    """Column widgets for a new table: ``kept`` (a reload) if it still fits, else the usual guess
    (``_guess_target``)."""
    kept = kept or {}
    target = kept.get("target") if kept.get("target") in table.columns else _guess_target(table, numeric)
    features = [f for f in kept.get("features", []) if f in numeric and f != target][:MAX_FEATURES]
    st.session_state["target"] = target
    st.session_state["features"] = features or [c for c in numeric if c != target][:MAX_FEATURES]
    st.session_state["drop"] = bool(kept.get("drop", False)) and bool(features)


def _store(file, task: str) -> Upload | None:
    """Parse a newly uploaded file; on success it replaces the previous upload (here and in the store)."""
    failed = st.session_state.get(_FAILED)
    if failed and failed[0] == (file.file_id, task):   # the same rejected file: say it again, don't re-parse
        st.error(failed[1], icon=":material/error:")
        return None
    raw = file.getvalue()
    try:
        table, numeric = _parse(raw, task)
    except data.DataError as exc:
        st.session_state[_FAILED] = ((file.file_id, task), safe.md(str(exc), 600))
        say_error(exc)
        return None
    old, browser = current_upload(), _browser()
    if old is not None and old.token:
        upload_store.STORE.drop(old.token, browser)
    # Without a browser id nothing is kept, but the address still names the upload, so that a
    # reload can say it is gone instead of dropping it silently.
    token = upload_store.STORE.put(browser, file.name, raw) or upload_store.new_token()
    up = Upload(file.file_id, "upload:" + hashlib.sha256(raw).hexdigest()[:16], file.name, table, token)
    st.session_state[_UPLOAD] = up
    _choose_columns(table, numeric)
    return up


def _restore_from_link(task: str) -> None:
    """Once per session: bring back the upload the address names (after a reload), or say why not."""
    if st.session_state.get(_LINK_READ):
        return
    st.session_state[_LINK_READ] = True
    token = st.query_params.get(LINK_KEY)
    if token is None or current_upload() is not None:
        return
    browser = _browser()
    entry = upload_store.STORE.get(token, browser)
    try:
        table, numeric = _parse(entry.content, task) if entry is not None else (None, [])
    except data.DataError:
        entry = None
    if entry is None:
        del st.query_params[LINK_KEY]
        if upload_store.STORE.was_forgotten(token, browser):
            notice("warning", "This link named a file that was forgotten (*Forget my file*): it is no longer on "
                              "this server, so the bundled Income2 data is in use.")
            return
        notice("warning", "This link names an uploaded file that is not available here, so the bundled Income2 "
                          f"data is in use. An upload is kept only for the browser that uploaded it, {KEPT_FOR}, "
                          "and not after the server restarts: upload the file again under *Data* in the sidebar.")
        return
    digest = hashlib.sha256(entry.content).hexdigest()[:16]
    st.session_state[_UPLOAD] = Upload("restored:" + digest, "upload:" + digest, entry.name, table, token)
    st.session_state["source"] = OWN
    _choose_columns(table, numeric, entry.choice)
    st.session_state[_KEPT_CHOICE] = entry.choice
    notice("info", f"Your file {safe.md(entry.name, 60)} is back after the reload: this server keeps an upload "
                   f"{KEPT_FOR}, for this browser only.")


def _sync_link(up: Upload | None) -> None:
    """``?upload=`` names the kept upload while it is in use, and nothing otherwise."""
    want = up.token if up is not None else None
    if st.query_params.get(LINK_KEY) != want:
        if want:
            st.query_params[LINK_KEY] = want
        else:
            del st.query_params[LINK_KEY]


def forget() -> None:
    """*Forget my file*: delete the upload from the server's store at once (its link then opens
    nothing), drop it from this session with its column choice, empty the uploader, and go back to
    the bundled data. Every other setting stays. Streamlit's own copy of the file's bytes is freed
    by ``ui.serve.uploads`` on this run (``pop_forgotten_files``)."""
    up = current_upload()
    if up is None:
        return
    if up.token:
        upload_store.STORE.forget(up.token, _browser())
    for key in (_UPLOAD, _WORKED, _FAILED, _KEPT_CHOICE, "target", "features", "drop"):
        st.session_state.pop(key, None)
    st.session_state[_FORGOTTEN] = [*st.session_state.get(_FORGOTTEN, []), up.file_id]
    st.session_state[_UPLOADER] = st.session_state.get(_UPLOADER, 0) + 1
    st.session_state["source"] = BUNDLED
    notice("info", f"Your file {safe.md(up.name, 60)} is forgotten: this server no longer holds it, and its link "
                   "no longer opens it. The bundled Income2 data is in use; every other setting is as it was.")


def pop_forgotten_files() -> list[str]:
    """The ids under which Streamlit holds files this session forgot (each given once)."""
    return st.session_state.pop(_FORGOTTEN, [])


def _uploader_key() -> str:
    """The file uploader's key: a new one after each *Forget my file*, so the uploader is empty."""
    generation = st.session_state.get(_UPLOADER, 0)
    return "upload_file" if not generation else f"upload_file_{generation}"


def _keep_choice(up: Upload, choice: DataChoice) -> None:
    """Remember the column choice with the kept upload, so that a reload restores it too."""
    kept = {"features": list(choice.features), "target": choice.target, "drop": choice.drop}
    if up.token and st.session_state.get(_KEPT_CHOICE) != kept:
        upload_store.STORE.remember_choice(up.token, _browser(), kept)
        st.session_state[_KEPT_CHOICE] = kept


TOY = "Toy data set"             # what the bundled choice is called when classifying


def data_section(box, test: float, split: int, task: str = "regression") -> DataChoice:
    """Draw the data choice in ``box`` (a sidebar container) and return the choice in use
    (``INCOME`` when no upload is in use; classification then uses a toy set, ``ui.state.toy``).

    The choice returned always prepares with ``split``, ``test`` and ``task``: when a new split seed
    or test fraction does not work with the upload, they go back to the last that did (``fall_back``).
    """
    _restore_from_link(task)
    classifies = task == "classification"
    source = box.radio("Data", (BUNDLED, OWN), key="source", horizontal=True,
                       format_func=lambda v: TOY if classifies and v == BUNDLED else v,
                       help="A generated toy data set (classification) or the lecture's 30 people (regression), "
                            "or a CSV of your own (1–4 feature columns and a target).")
    own = source == OWN
    with box.expander("Your own data", expanded=own):
        # No type= filter: the content decides, so an .xlsx gets a sentence saying how to save it as CSV.
        file = st.file_uploader("CSV file (up to 5 MB, 10,000 rows)", key=_uploader_key(),
                                help="A header row, then one row per example; numbers in the columns you use.")
        up = current_upload()
        if file is not None and (up is None or file.file_id != up.file_id):
            up = _store(file, task) or up
        choice = _columns(up, test, split, task) if up is not None else None
        if up is not None:
            st.button("Forget my file", icon=":material/delete:", key="forget_upload", on_click=forget,
                      width="stretch", help="Deletes the file from this server now, so that no one can reopen it "
                                            "from this browser's history (it would otherwise be kept "
                                            f"{KEPT_FOR}). The bundled data comes back; other settings stay.")
    if own and up is not None and up.token:
        upload_store.STORE.touch(up.token, _browser())         # a use: the kept copy lasts another hour
    _sync_link(up if own else None)
    if not own:
        return INCOME
    if choice is not None:
        st.session_state[_WORKED] = (choice, split, test, task)
        _keep_choice(up, choice)
        return choice
    worked = st.session_state.get(_WORKED)
    previous = worked[0] if worked is not None and up is not None and worked[0].data == up.key \
        and worked[3] == task else INCOME              # columns that worked for the other task prove nothing
    if previous.data != "income" and worked[1:3] != (split, test):
        # The split seed or test fraction changed too: the columns that worked must work with it.
        failure = _fails(up, previous, split, test, task)
        if failure is not None:
            fall_back(failure, worked, split, test)       # reruns with the split and test that worked
        st.session_state[_WORKED] = (previous, split, test, task)
    bundled = "a toy data set" if classifies else "the bundled Income2 data"
    if up is None:
        box.info(f"No file uploaded yet: {bundled} is in use.")
    else:
        kept = bundled if previous.data == "income" else "your previous column choice"
        box.warning(f"Until the columns work, the app keeps using {kept}.")
    return previous


def fall_back(failure: data.DataError, worked: tuple, split: int, test: float) -> None:
    """Go back to the split seed and test fraction that last worked with this upload, and say why."""
    _, good_split, good_test, _ = worked
    changed = [f"split seed {split}" if split != good_split else "", f"test fraction {test:g}" if test != good_test else ""]
    back = [f"split seed {good_split}" if split != good_split else "", f"test fraction {good_test:g}" if test != good_test else ""]
    what, to = " and ".join(c for c in changed if c), " and ".join(b for b in back if b)
    notice("warning", f"{what[0].upper()}{what[1:]} does not work with your data: {safe.md(str(failure), 600)} "
                      f"The app went back to {to}, the last {'settings' if ' and ' in to else 'setting'} that worked.")
    st.session_state[_PENDING] = {"split": float(good_split), "test": good_test}
    st.rerun()


def _fails(up: Upload, choice: DataChoice, split: int, test: float, task: str) -> data.DataError | None:
    """Why ``choice`` does not prepare with this split seed and test fraction (None if it does)."""
    try:
        data.prepare(up.table, choice.features, choice.target, test_size=test, split_seed=split, task=task,
                     drop_incomplete=choice.drop)
    except data.DataError as exc:
        return exc
    return None


def _columns(up: Upload, test: float, split: int, task: str = "regression") -> DataChoice | None:
    """Column pickers for an upload; the choice if it prepares without error, else None. A class
    (classification's target) may be any column, text too; features and regression targets are numeric."""
    table = up.table
    numeric = data.numeric_columns(table)
    st.caption(f"{len(table):,} rows × {table.shape[1]} columns; {len(numeric)} numeric.")
    st.text(f"File: {up.name[:60]}")
    too_few = _too_few_numbers(numeric, table, task)
    if too_few:                      # a file kept for classification, now asked for regression
        st.error(safe.md(too_few, 600), icon=":material/error:")
        return None
    targets = list(table.columns) if task == "classification" else numeric
    if st.session_state.get("target") not in targets:
        st.session_state["target"] = _guess_target(table, numeric)
    target = st.selectbox("Target (the class to predict)" if task == "classification" else "Target (what to predict)",
                          targets, key="target")
    options = [c for c in numeric if c != target]
    not_numbers = [why for column, why in data.not_numeric_reasons(table).items() if column != target]
    if not_numbers:                  # why a column is not offered as a feature, in the core's words
        more = len(not_numbers) - 1
        st.caption("Not offered as a feature: " + safe.md(not_numbers[0], 300)
                   + (f" ({more} more such column{'s' if more != 1 else ''}.)" if more else ""))
    chosen = [c for c in st.session_state.get("features", []) if c in options][:MAX_FEATURES]
    st.session_state["features"] = chosen or options[:1]
    features = st.multiselect("Features (1–4 numeric columns)", options, key="features",
                              max_selections=MAX_FEATURES)
    if not features:
        st.warning("Choose at least one feature column.")
        return None
    drop = st.session_state.get("drop", False)
    try:
        data.prepare(table, features, target, test_size=test, split_seed=split, task=task, drop_incomplete=drop)
    except data.IncompleteRowsError as exc:
        say_error(exc)
        st.checkbox(f"Drop those {len(exc.rows)} rows", key="drop")
        return None
    except data.DataError as exc:
        say_error(exc)
        return None
    if drop:
        st.checkbox("Drop rows with missing values", key="drop")
    return DataChoice(up.key, tuple(features), target, bool(drop))
