"""bench/report.py: a command replaces its own section of docs/performance.md and nothing else."""

import re
import subprocess
import sys
from pathlib import Path

from bench import report

ROOT = Path(__file__).resolve().parents[2]

PAGE = """# Performance

Prose a person wrote, kept as it is.

## `make bench`

<!-- make bench: begin -->
old bench figures
<!-- make bench: end -->

## `make load`

<!-- make load: begin -->
old load figures
<!-- make load: end -->

Closing words.
"""


def test_a_section_is_replaced_and_everything_else_is_untouched(tmp_path):
    page = tmp_path / "performance.md"
    page.write_text(PAGE)
    report.write_section(page, "make bench", "new bench figures\n")
    assert page.read_text() == PAGE.replace("old bench figures", "new bench figures")
    report.write_section(page, "make bench", "newer")
    assert page.read_text() == PAGE.replace("old bench figures", "newer")


def test_a_command_seen_for_the_first_time_gets_a_section_after_its_targets_others(tmp_path):
    page = tmp_path / "performance.md"
    page.write_text(PAGE)
    report.write_section(page, 'make load LOAD_ARGS="--mix max"', "max figures")
    new = ('### `make load LOAD_ARGS="--mix max"`\n\n<!-- make load LOAD_ARGS="-mix max": begin -->\n'
           'max figures\n<!-- make load LOAD_ARGS="-mix max": end -->\n')
    assert page.read_text() == PAGE.replace("old load figures\n<!-- make load: end -->\n",
                                            "old load figures\n<!-- make load: end -->\n\n" + new)
    report.write_section(page, 'make load LOAD_ARGS="--mix max"', "again")
    assert page.read_text().count("### `make load LOAD_ARGS") == 1 and "max figures" not in page.read_text()
    report.write_section(page, "make load-flood", "flood figures")
    assert page.read_text().endswith("Closing words.\n\n### `make load-flood`\n\n<!-- make load-flood: begin -->\n"
                                     "flood figures\n<!-- make load-flood: end -->\n")


def test_the_section_says_machine_date_and_commit_and_holds_the_output():
    import datetime as dt
    body = report.section("make bench", "a 1.0 ms\nb 2.0 ms\n", dt.datetime(2030, 1, 2, 3, 4), 150.0,
                          report.machine(), report.commit(), (0.5, 0.25, 0.125))
    first = body.splitlines()[0]
    assert first.startswith("Written by `make bench` on 2030-01-02 03:04 UTC (it took 2 min), commit ")
    assert re.search(r"commit [0-9a-f]{7,}(, working tree clean| with uncommitted changes to \d+ files?)", first)
    assert re.search(r"^Machine: \d+ cores, .+, [\d.]+ GB of memory, .*; load average before the run "
                     r"0\.50 0\.25 0\.12\.$", body.splitlines()[1])
    assert body.endswith("```text\na 1.0 ms\nb 2.0 ms\n```")


def test_the_command_writes_on_success_and_leaves_the_file_alone_on_failure(tmp_path):
    page = tmp_path / "performance.md"
    page.write_text(PAGE)
    ok = subprocess.run([sys.executable, "-m", "bench.report", "make load", "--file", str(page), "--",
                         sys.executable, "-c", "print('p95 0.2 s')"], cwd=ROOT, capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout == "p95 0.2 s\n", ok.stderr
    assert "p95 0.2 s" in page.read_text() and "old load figures" not in page.read_text()
    assert "old bench figures" in page.read_text()
    before = page.read_text()
    failed = subprocess.run([sys.executable, "-m", "bench.report", "make bench", "--file", str(page), "--",
                             sys.executable, "-c", "print('half'); raise SystemExit(3)"],
                            cwd=ROOT, capture_output=True, text=True)
    assert failed.returncode == 3 and "left as it was" in failed.stderr
    assert page.read_text() == before


def test_the_commit_line_counts_changed_files_but_not_the_report_itself(tmp_path):
    def git(*args):
        subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=tmp_path, check=True,
                       capture_output=True)

    (tmp_path / "docs").mkdir()
    page, code = tmp_path / "docs" / "performance.md", tmp_path / "app.py"
    page.write_text(PAGE)
    code.write_text("x = 1\n")
    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "first")
    page.write_text(PAGE + "more\n")
    assert report.commit(tmp_path, page).endswith(", working tree clean")
    code.write_text("x = 2\n")
    assert report.commit(tmp_path, page).endswith(" with uncommitted changes to 1 file")
