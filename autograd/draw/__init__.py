"""Seeing a graph: ``draw_graph`` (Graphviz) and its parts."""

from .drawing import GraphDrawing, GraphvizNotInstalledError, draw_graph

__all__ = ["GraphDrawing", "GraphvizNotInstalledError", "draw_graph"]
