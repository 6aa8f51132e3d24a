"""Timings of the Training page's "Check against scikit-learn" panel and of the notebook download.

1. ``core.crosscheck.crosscheck`` at the defaults (3 hidden, 1000 epochs, full batch) against one
   ``core.training.train`` run, alternately so both see the same machine state.
   Target: the panel's check < 1 s.
2. ``ui.views.notebook.build_notebook`` at the defaults (what the download button calls), and the
   downloaded notebook executed by nbclient in a fresh kernel (what a student waits for; kernel
   start-up included). No target for the latter: it is the student's machine, not the server.

Run with ``python -m bench.crosscheck_bench`` (or ``make bench`` for every suite).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.core_bench import _alternate, _seconds, _verdict, header  # noqa: E402  (one copy of the helpers)
from core import crosscheck, data, training  # noqa: E402
from ui.views import notebook  # noqa: E402


def main() -> list[str]:
    lines, say = header("check against scikit-learn, notebook download")
    p = data.prepare(data.load_income())

    def check():
        return crosscheck.crosscheck(p)

    def train():
        return training.train(p)

    c = check()
    assert c.matches, c.summary             # the same numbers first, or the timing means nothing
    t_check, t_train = _alternate(check, train, rounds=7)
    say(f"crosscheck at the defaults (3 hidden, 1000 epochs): {t_check * 1000:.0f} ms, one train "
        f"{t_train * 1000:.1f} ms, ratio {t_check / t_train:.0f}×  "
        f"(target < 1 s: {_verdict(t_check < 1)}; median of 7 alternating rounds; "
        f"max relative difference {c.max_rel_diff:.1e})")

    spec = notebook.RunSpec()
    t_build = statistics.median(_seconds(lambda: notebook.build_notebook(spec)) for _ in range(5))
    say(f"build_notebook at the defaults: {t_build * 1000:.1f} ms (median of 5)")
    try:
        import nbclient
        import nbformat
    except ModuleNotFoundError as exc:
        say(f"(notebook execution skipped: {exc})")
        return lines
    nb = nbformat.reads(notebook.build_notebook(spec), as_version=4)
    with tempfile.TemporaryDirectory() as folder:
        t_run = _seconds(lambda: nbclient.NotebookClient(
            nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": folder}}).execute())
    say(f"the downloaded notebook run top to bottom in a fresh kernel (nbclient, start-up included): "
        f"{t_run:.1f} s (one run)")
    return lines


if __name__ == "__main__":
    main()
