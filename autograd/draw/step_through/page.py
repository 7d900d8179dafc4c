"""The self-contained page: the template (page.html, page.css, page.js) with the data inlined.

The file makes no network request: no fonts, scripts or images are fetched, so it opens from
disk and works offline. In Jupyter the page is shown in an ``<iframe srcdoc=...>``, which
JupyterLab, the classic notebook and VS Code all display, and which keeps the page's script and
styles apart from the notebook's.
"""

from __future__ import annotations

import html
import json
import os
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from .sites import NOT_RECORDED

HERE = Path(__file__).resolve().parent
IFRAME_HEIGHT = 720


@cache
def _asset(name: str) -> str:
    return (HERE / name).read_text(encoding="utf-8")


def render(data: dict[str, Any], title: str) -> str:
    """The whole page as one HTML string."""
    data = {**data, "noSite": NOT_RECORDED}
    # inside <script>, "</" could close the element and "<!--" open a comment: \u003c is the
    # same character to JSON and to JavaScript
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    payload = payload.replace("<", "\\u003c")
    page = _asset("page.html")
    page = page.replace("/*{{CSS}}*/", _asset("page.css"))
    page = page.replace("/*{{JS}}*/", _asset("page.js"))
    page = page.replace("{{TITLE}}", html.escape(title))
    return page.replace("{{DATA}}", payload)


def iframe(page: str, height: int = IFRAME_HEIGHT) -> str:
    """The page inline in a notebook: isolated in an iframe (srcdoc holds the whole page)."""
    return (
        f'<iframe srcdoc="{html.escape(page, quote=True)}" '
        f'style="width: 100%; height: {height}px; border: 1px solid #d8dee4;" '
        'title="dagrad step-through" data-dagrad-step-through="1"></iframe>'
    )


def write(page: str, path: str | os.PathLike[str]) -> Path:
    """Write atomically (a temporary file renamed into place): a reader never sees half a page."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".html", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(page)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


class Page:
    """Something that renders to the page: ``html()``, ``save(path)``, and inline display in
    Jupyter (``_repr_html_``)."""

    title: str

    def _data(self) -> dict[str, Any]:
        raise NotImplementedError

    def html(self) -> str:
        """The self-contained page as a string."""
        return render(self._data(), self.title)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the page to ``path`` (one HTML file: open it in any browser, offline)."""
        return write(self.html(), path)

    def _repr_html_(self) -> str:
        return iframe(self.html())
