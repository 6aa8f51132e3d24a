"""Measured numbers go into docs/performance.md, written by the command that measured them.

    python -m bench.report "make bench" -- python -m bench

runs the command, shows its output as it comes, and, if it succeeds, replaces the section of
docs/performance.md that the command owns — between ``<!-- make bench: begin -->`` and
``<!-- make bench: end -->`` — with that output, the machine (cores, CPU model, memory), the date
and the commit measured (and whether the working tree had uncommitted changes). Every other
section stays as it was; a command seen for the first time gets a new section at the end. A
command that fails writes nothing. The Makefile's ``bench`` and ``load`` targets run through this.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PERFORMANCE = ROOT / "docs" / "performance.md"


def marker(name: str, edge: str) -> str:
    """``<!-- make bench: begin -->``; a ``--`` in the name (``--mix max``) would end an HTML comment early."""
    return f"<!-- {name.replace('--', '-')}: {edge} -->"


def replace_section(text: str, name: str, body: str) -> str:
    """``text`` with the section ``name`` holding ``body``.

    A new section gets a heading of its own, after the last section of the same make target
    (``make load LOAD_ARGS=...`` after ``make load``), or at the end.
    """
    begin, end = marker(name, "begin"), marker(name, "end")
    block = f"{begin}\n{body.strip()}\n{end}"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        return pattern.sub(lambda _: block, text, count=1)
    new = f"### `{name}`\n\n{block}\n"
    target = name.split()[:2]
    ends = [m for m in re.finditer(r"<!-- (.+?): end -->\n", text) if m.group(1).split()[:2] == target]
    if ends:
        return f"{text[:ends[-1].end()]}\n{new}{text[ends[-1].end():]}"
    return f"{text.rstrip()}\n\n{new}"


def write_section(path: Path, name: str, body: str) -> None:
    text = path.read_text() if path.exists() else ""
    path.write_text(replace_section(text, name, body))


def machine() -> str:
    """"2 cores, Intel(R) Xeon(R) ..., 7.8 GB of memory, Linux, Python 3.11.9"."""
    cpu, memory = platform.processor() or "CPU model unknown", "memory unknown"
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                   if line.startswith("model name"))
        kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal:"))
        memory = f"{kb / 2**20:.1f} GB of memory"
    except (OSError, StopIteration, ValueError):
        pass
    return f"{os.cpu_count()} cores, {cpu}, {memory}, {platform.system()}, Python {platform.python_version()}"


def commit(root: Path = ROOT, leave_out: Path = PERFORMANCE) -> str:
    """The commit measured, and whether the working tree differed from it (this report file aside)."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout.rstrip("\n")

    try:
        sha = git("rev-parse", "--short", "HEAD")
        changed = [line for line in git("status", "--porcelain").splitlines()
                   if line[3:].strip('"') != str(leave_out.resolve().relative_to(root.resolve()))]
    except (OSError, ValueError, subprocess.CalledProcessError):
        return "commit unknown (not a git checkout)"
    return f"commit {sha}" + (f" with uncommitted changes to {len(changed)} file{'s' * (len(changed) != 1)}"
                              if changed else ", working tree clean")


def section(name: str, output: str, when: dt.datetime, seconds: float, where: str, what: str,
            load: tuple[float, float, float]) -> str:
    """The text between the markers: who wrote it, on what and when, then the command's output."""
    took = f"{seconds / 60:.0f} min" if seconds >= 90 else f"{seconds:.0f} s"
    return (f"Written by `{name}` on {when:%Y-%m-%d %H:%M} UTC (it took {took}), {what}.\n"
            f"Machine: {where}; load average before the run {' '.join(f'{x:.2f}' for x in load)}.\n\n"
            f"```text\n{output.rstrip()}\n```")


def run(name: str, command: list[str], path: Path = PERFORMANCE) -> int:
    """Run ``command``, echo its output, and on success write it into ``path`` as the section ``name``."""
    when, where, what = dt.datetime.now(dt.timezone.utc), machine(), commit(leave_out=path)
    load = os.getloadavg()
    t0 = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, bufsize=1)
    lines = []
    for line in proc.stdout:
        sys.stdout.write(line)
        sys.stdout.flush()
        lines.append(line)
    code = proc.wait()
    if code != 0:
        print(f"\n{name} failed (exit code {code}): {path} left as it was", file=sys.stderr)
        return code
    write_section(path, name, section(name, "".join(lines), when, time.perf_counter() - t0, where, what, load))
    print(f"\nwritten to the section `{name}` of {path}", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    ap = argparse.ArgumentParser(prog="python -m bench.report", usage="%(prog)s NAME [--file FILE] -- COMMAND ...",
                                 description=__doc__.split("\n")[0])
    ap.add_argument("name", help='the section, named for the command a reader would type ("make bench")')
    ap.add_argument("--file", type=Path, default=PERFORMANCE, help="the Markdown file (docs/performance.md)")
    if "--" not in argv or argv.index("--") == len(argv) - 1:
        ap.error("no command to run: python -m bench.report NAME -- COMMAND ...")
    args = ap.parse_args(argv[:argv.index("--")])
    return run(args.name, argv[argv.index("--") + 1:], args.file)


if __name__ == "__main__":
    sys.exit(main())
