"""Showing text that came from a user (CSV column names, file names) without rendering it.

Streamlit's Markdown (titles, captions, metric and widget labels, alerts) acts on links, images,
LaTeX (``$``), directives (``:red[...]``) and emphasis. Backslash-escaping every ASCII punctuation
character makes CommonMark show each one literally. Prefer ``st.text``, ``st.code`` or
``st.dataframe`` for such text; use ``md`` only where a label must be Markdown.

Escaping is not enough for GitHub-style autolinks: ``http://…``, ``www.…`` and ``a@b.c`` become
links even when their punctuation is escaped, so a zero-width space breaks each of those patterns
(invisible on screen).
"""

from __future__ import annotations

import re
import string

_PUNCT = set(string.punctuation)
_ZWSP = "\u200b"
_WWW = re.compile(r"(www)(\.)", re.IGNORECASE)


def md(text: object, limit: int = 80) -> str:
    """``text`` made literal for Markdown: punctuation escaped, control characters dropped, cut to ``limit``."""
    s = "".join(ch for ch in str(text) if ch.isprintable())
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    s = _WWW.sub(r"\1" + _ZWSP + r"\2", s.replace("://", ":" + _ZWSP + "//").replace("@", "@" + _ZWSP))
    return "".join("\\" + ch if ch in _PUNCT else ch for ch in s)


def chart_text(text: object) -> str:
    """``text`` fit for a Vega-Lite title, axis or tooltip title.

    Vega-Lite writes tooltip titles (and the axis titles it reuses for default tooltips) into a
    Vega *expression* as ``"title": …`` after escaping only ``"``: a name with a backslash
    (``Seniority\\``) breaks that expression and the chart stays blank. A backslash is shown as
    the look-alike ⧵ (U+29F5), and characters that are not printable become spaces.
    """
    return "".join(ch if ch.isprintable() else " " for ch in str(text)).replace("\\", "\u29f5")
