"""Server-side time of a rerun of each page with a warm cache (AppTest), against baselines.

Two baselines, both measured in the same run:

- the same AppTest rerun of a one-line script (``st.title``): what Streamlit itself costs per rerun
  on this machine;
- with ``--against REV``, the same pages of another commit of this repository (``git archive``
  into a temporary folder), measured in turns with this one, so a change's cost shows as a ratio
  that the machine's load affects alike.

Each page is timed two ways. *AppTest* as it comes: its runner compiles the page scripts again on
every run. *Compiled once*: the compiled scripts are kept between runs, as a real server keeps them
(Streamlit's ``ScriptCache`` lives as long as the server), so this column is what a student's click
costs the server. Targets: every page under 0.3 s at the defaults.

    python -m bench.pages_bench                       # this checkout
    python -m bench.pages_bench --against ca44af4     # and another commit, ratios per page
    python -m bench.pages_bench --this 723f0f5 --against ca44af4   # two earlier commits
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from tests.support.apptest import compile_once

ROOT = Path(__file__).resolve().parents[1]
PAGES = ("data", "network", "backprop", "training")
SCENARIOS = {"defaults": {}, "max settings": {"hidden": "32", "epochs": "20000"}}
ROUNDS = 3          # turns per checkout with --against; each figure is the lowest of the rounds' medians


def _time_reruns(at, n: int) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t)
        assert not at.exception, [e.value for e in at.exception]
    return statistics.median(times)


def _page_file(root: Path, page: str) -> str:
    """The page's script, wherever that checkout keeps its pages."""
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith((".", "test"))):
        if (folder / f"{page}.py").is_file() and folder.name not in ("core", "bench", "ui"):
            return f"{folder.name}/{page}.py"
    raise FileNotFoundError(f"no {page}.py page in {root}")


def measure(root: Path, compiled_once: bool, n: int) -> dict[str, float]:
    """Median warm rerun (s) of every page and scenario in the checkout at ``root``, and the baseline."""
    if compiled_once:
        compile_once()
    # compile_once reached Streamlit through this checkout's ui/serve/internals.py: forget this ui/,
    # so that the pages at ``root`` import their own.
    for name in [m for m in sys.modules if m == "ui" or m.startswith("ui.")]:
        del sys.modules[name]
    os.chdir(root)
    sys.path.insert(0, str(root))
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_string("import streamlit as st\nst.title('baseline')", default_timeout=60)
    at.run()
    out = {"baseline": _time_reruns(at, 2 * n)}
    for name, query in SCENARIOS.items():
        for page in PAGES:
            at = AppTest.from_file(str(root / "app.py"), default_timeout=120)
            at.query_params.update(query)
            at.run()
            if page != "data":
                at.switch_page(_page_file(root, page)).run()   # first run on the page: trains, fills the cache
            at.run()
            out[f"{name}|{page}"] = _time_reruns(at, n)
    return out


def _measure_in_child(root: Path, compiled_once: bool, n: int) -> dict[str, float]:
    """``measure`` in a fresh Python: two checkouts' modules (``ui``, ``core``) cannot share a process."""
    args = [sys.executable, "-m", "bench.pages_bench", "--measure", str(root), "--n", str(n)]
    if compiled_once:
        args.append("--compiled-once")
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=1800,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode != 0:
        raise RuntimeError(f"measuring {root} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _export(rev: str, into: Path) -> Path:
    """The files of commit ``rev`` in a folder of their own (nothing in this checkout changes)."""
    into.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", "--format=tar", rev], cwd=ROOT, capture_output=True, check=True)
    tar_path = into / "rev.tar"
    tar_path.write_bytes(archive.stdout)
    with tarfile.open(tar_path) as tar:
        tar.extractall(into / "tree", filter="data")
    return into / "tree"


def _lowest(runs: list[dict[str, float]]) -> dict[str, float]:
    return {k: min(r[k] for r in runs) for k in runs[0]}


def main(argv: list[str] | None = None) -> list[str]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--against", metavar="REV", help="also time the pages of this commit, in turns with this checkout")
    ap.add_argument("--this", metavar="REV", help="time this commit instead of the working tree")
    ap.add_argument("--n", type=int, default=9, help="reruns per page (the median is kept)")
    ap.add_argument("--rounds", type=int, default=ROUNDS, help="turns per checkout with --against (the lowest "
                                                                 "median is kept)")
    ap.add_argument("--measure", metavar="ROOT", help=argparse.SUPPRESS)
    ap.add_argument("--compiled-once", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv if argv is not None else [])
    if args.measure:
        print(json.dumps(measure(Path(args.measure), args.compiled_once, args.n)))
        return []

    lines = [f"# page reruns (AppTest, warm cache) — {os.cpu_count()} cores, Python {platform.python_version()}"]
    with tempfile.TemporaryDirectory() as tmp:
        this_root = _export(args.this, Path(tmp) / "this") if args.this else ROOT
        roots = {"this": this_root} | ({args.against: _export(args.against, Path(tmp) / "base")} if args.against else {})
        rounds = args.rounds if args.against else 1
        got = {(who, once): [] for who in roots for once in (False, True)}
        for _ in range(rounds):
            for once in (False, True):
                for who, root in roots.items():
                    got[who, once].append(_measure_in_child(root, once, args.n))
    res = {key: _lowest(runs) for key, runs in got.items()}
    this, this_once = res["this", False], res["this", True]
    lines.append(f"baseline rerun of a one-line script: {this['baseline'] * 1000:.1f} ms "
                 f"(compiled once: {this_once['baseline'] * 1000:.1f} ms)")
    head = f"{'':>13} | {'page':<9}  {'AppTest':>8}  {'compiled once':>13}  {'× baseline':>10}"
    if args.against:
        head += f"  {'vs ' + args.against[:10]:>14} {'ratio':>6} {'compiled once':>14} {'ratio':>6}"
    lines.append(head)
    for name in SCENARIOS:
        for page in PAGES:
            key = f"{name}|{page}"
            t, t1 = this[key], this_once[key]
            line = (f"{name:>13} | {page:<9}  {t * 1000:6.1f} ms  {t1 * 1000:10.1f} ms  {t / this['baseline']:9.1f}×")
            if args.against:
                o, o1 = res[args.against, False][key], res[args.against, True][key]
                line += f"  {o * 1000:11.1f} ms {t / o:6.2f} {o1 * 1000:11.1f} ms {t1 / o1:6.2f}"
            if name == "defaults":
                line += f"  target < 300 ms: {'ok' if t < 0.3 else 'MISSED'}"
            lines.append(line)
    if args.against:
        lines.append(f"ratios: {args.this or 'this checkout'} / {args.against}, lowest median of {args.rounds} turns each; "
                     "1.10 = 10% slower")
    for line in lines:
        print(line, flush=True)
    return lines


if __name__ == "__main__":
    main(sys.argv[1:])
