"""``make bench``: every benchmark, each comparing against a baseline measured in the same run."""

import importlib
import sys
from pathlib import Path

SUITES = ["bench.core_bench", "bench.pages_bench", "bench.results_bench", "bench.crosscheck_bench"]


def main() -> None:
    out = []
    for name in SUITES:
        module = importlib.import_module(name)     # a suite that cannot load fails the run, never skipped
        out += module.main() + [""]
    results = Path(__file__).resolve().parent / "results"
    results.mkdir(exist_ok=True)
    (results / "latest.txt").write_text("\n".join(out))
    print(f"written to {results / 'latest.txt'}", file=sys.stderr)


if __name__ == "__main__":
    main()
