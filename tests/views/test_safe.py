"""User text made literal for Markdown: nothing in it can become a link, image, LaTeX or markup."""

import re

from hypothesis import given, settings, strategies as st

from ui.views.safe import md

ZWSP = "\u200b"


def shown(escaped: str) -> str:
    """What a reader sees: escapes removed, zero-width spaces invisible."""
    return re.sub(r"\\(.)", r"\1", escaped).replace(ZWSP, "")


def test_markdown_links_images_html_latex_and_directives_are_escaped():
    for text in ["[click](http://e.x)", "![img](http://e.x/a.png)", "<b>x</b>", "$\\frac{1}{2}$",
                 ":red[alarm]", "**bold** _it_", "# heading", "`code`"]:
        out = md(text)
        assert shown(out) == text
        assert not re.search(r"(?<!\\)[\[\]()<>$*_`#:]", out.replace(ZWSP, ""))


def test_bare_urls_emails_and_www_cannot_autolink():
    for text in ["http://evil.example", "HTTPS://EVIL.EXAMPLE", "www.evil.example", "me@evil.example"]:
        out = md(text)
        assert shown(out) == text
        plain = out.replace("\\", "")
        assert "://" not in plain and "www." not in plain.lower() and "@e" not in plain


def test_long_text_is_cut_and_control_characters_dropped():
    assert shown(md("a" * 500, limit=10)) == "a" * 9 + "…"
    assert shown(md("a\x00b\nc")) == "abc"


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_any_text_reads_back_literally(text):
    printable = "".join(ch for ch in text if ch.isprintable())[:80]
    if len(printable) < 80:
        assert shown(md(text)) == printable
