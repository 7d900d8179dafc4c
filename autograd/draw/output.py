"""The object draw_graph returns: a graphviz.Digraph that explains a missing Graphviz install.

Everything of graphviz.Digraph works as usual (``.source``, ``.save()``, ``.render()``,
``.pipe()``, inline SVG in Jupyter through ``_repr_mimebundle_``, which calls ``pipe``). Only
rendering needs the ``dot`` program; when it is missing, the error says how to install it.
"""

from __future__ import annotations

from typing import Any

import graphviz

INSTALL_HINT = (
    "Graphviz's `{cmd}` program was not found on PATH, so the drawing cannot be rendered. "
    "Install Graphviz (the system program, not only the Python package):\n"
    "  Debian/Ubuntu:  sudo apt-get install graphviz\n"
    "  macOS:          brew install graphviz\n"
    "  conda:          conda install -c conda-forge graphviz\n"
    "The drawing itself does not need it: its DOT source is in `.source`, and `.save(path)` "
    "writes it to a file for any Graphviz viewer."
)


class GraphvizNotInstalledError(graphviz.ExecutableNotFound):
    """Raised instead of graphviz.ExecutableNotFound (a subclass, so either can be caught)."""

    def __init__(self, cmd: str) -> None:
        RuntimeError.__init__(self, INSTALL_HINT.format(cmd=cmd))


class GraphDrawing(graphviz.Digraph):
    """A graphviz.Digraph whose ``render``/``pipe`` say how to install Graphviz if needed."""

    graph_nodes: int = 0  # nodes in the drawn graph
    folded_nodes: int = 0  # of which this many are folded into summary boxes

    def render(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().render(*args, **kwargs)
        except GraphvizNotInstalledError:
            raise
        except graphviz.ExecutableNotFound as err:
            raise GraphvizNotInstalledError(self.engine) from err

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().pipe(*args, **kwargs)
        except GraphvizNotInstalledError:
            raise
        except graphviz.ExecutableNotFound as err:
            raise GraphvizNotInstalledError(self.engine) from err
