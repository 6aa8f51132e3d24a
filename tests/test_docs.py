"""The README is the front door and docs/ the manual: the README stays short, and every link in
either leads somewhere that exists (a file, and the heading it names)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def prose(text: str) -> str:
    """``text`` without fenced code blocks and inline code, where brackets are code, not links."""
    return re.sub(r"`[^`\n]*`", "", re.sub(r"^```.*?^```", "", text, flags=re.DOTALL | re.MULTILINE))


def anchors(path: Path) -> set[str]:
    """The anchors of ``path``'s headings, made as GitHub makes them."""
    found, seen = set(), {}
    for heading in re.findall(r"^#{1,6} +(.+?) *$", re.sub(r"^```.*?^```", "", path.read_text(),
                                                             flags=re.DOTALL | re.MULTILINE), re.MULTILINE):
        slug = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        found.add(slug if slug not in seen else f"{slug}-{seen[slug]}")
        seen[slug] = seen.get(slug, 0) + 1
    return found


def test_the_readme_is_at_most_150_lines():
    lines = len((ROOT / "README.md").read_text().splitlines())
    assert lines <= 150, f"README.md has {lines} lines: move the detail into docs/ and link it"


def test_the_readme_quotes_no_measured_figure():
    units = re.findall(r"\b\d[\d.,]*\s?(?:ms|µs|MB|GB)\b|\bp95\b", prose((ROOT / "README.md").read_text()))
    assert not units, f"README.md quotes {units}: measured figures belong in docs/performance.md"


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves(page):
    broken = []
    for target in LINK.findall(prose(page.read_text())):
        if re.match(r"[a-z]+:", target):
            continue                                   # https:, mailto: — not ours to check
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(f"{target}: no such file")
        elif anchor and file.suffix == ".md" and anchor not in anchors(file):
            broken.append(f"{target}: no heading with that anchor in {file.relative_to(ROOT)}")
    assert not broken, f"{page.relative_to(ROOT)}: {broken}"


def test_the_link_check_would_catch_a_missing_file_and_a_missing_heading(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# A title: `code`\n\n[ok](#a-title-code) [gone](nowhere.md) `[not](a-link.md)`\n")
    assert LINK.findall(prose(page.read_text())) == ["#a-title-code", "nowhere.md"]
    assert anchors(page) == {"a-title-code"}


def test_the_manual_has_a_page_for_each_readers_question():
    wanted = {"teaching", "architecture", "core-api", "your-data", "security", "class", "performance"}
    assert wanted <= {p.stem for p in (ROOT / "docs").glob("*.md")}
    readme = (ROOT / "README.md").read_text()
    assert all(f"docs/{name}.md" in readme for name in wanted), "the README links every page of the manual"
