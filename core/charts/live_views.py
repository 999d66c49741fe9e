"""The Lab's views as the browser streams them: for each, a Vega-Lite spec without rows, and what the page's
script (static/gradflow/live_charts.js) computes its rows from.

A spec depends on the run's shape and the view's options only (depth, steps, log axis, smoothing), never on
the values, so it is built once per shape (the builders' caches) and sent when the page is drawn, not with
every frame. The rows come from the run's chunks (core/stream/chunks.py), the same for every viewer.
The specs are the builders' own: one picture, whether the chart is streamed, exported or drawn at once.
"""
import json
from functools import cached_property, lru_cache

from core.charts.chain_rule import factors_spec, numbers_spec, numbers_titles
from core.charts.flow import heatmap_spec, lines_spec, profile_spec
from core.charts.histograms import panels_spec
from core.charts.training import SPARSITY_TITLES, boundary_spec, curve_spec

PROFILE_FRAME = 64  # the profile's title, x axis and padding around its plot, in pixels
RULE = {"name": "replay_step", "value": -1}  # the dashed step rule's step, set by the page's script


class View(dict):
    """A live view, {"spec", "view"}, that keeps its JSON once made (ui/live/wire.py says why). The builders
    keep their views (`_kept`), so a page run that draws the same chart again sends the same bytes."""

    @cached_property
    def json_bytes(self) -> bytes:
        return json.dumps(self, separators=(",", ":")).encode()


_kept = lru_cache(maxsize=64)  # per builder: a view is a few to tens of kB


def _finish(spec: dict, renderer: str = "canvas", rule: bool = False, stretch: bool = True) -> dict:
    spec = {**spec, "config": {**spec.get("config", {}), "aria": False}}
    if stretch:  # as wide as its column, axes and legend included
        spec.update(width="container", autosize={"type": "fit-x", "contains": "padding"})
    if rule:
        spec["params"] = [*spec.get("params", []), RULE]
    spec["datasets"] = {"rows": [], **spec.get("datasets", {})}
    return spec


@_kept
def lines(depth: int, total: int, metric: str, title: str, log: bool = True, guide=None, height: int = 220,
          smoothing: float = 0.0, legend: bool = True, percent: bool = False, chart_title: str | None = None) -> dict:
    """One line per layer of a per-layer metric over the recorded steps."""
    spec = lines_spec(depth, total, title, log, guide, height, legend, percent, True)
    if chart_title:
        spec = {**spec, "title": chart_title}
    return View({"spec": _finish(spec, rule=True),
            "view": {"kind": "lines", "name": metric, "metric": metric, "scale": 100.0 if percent else 1.0,
                     "positive": bool(log and not percent), "smoothing": smoothing, "rule": True, "height": height}})


def sparsity(depth: int, total: int, metric: str, legend: bool = True, smoothing: float = 0.0) -> dict:
    return lines(depth, total, metric, SPARSITY_TITLES[metric], log=False, height=200, legend=legend,
                 smoothing=smoothing, percent=True, chart_title=SPARSITY_TITLES[metric])


@_kept
def curve(total: int, quantity: str, height: int = 200, smoothing: float = 0.0) -> dict:
    """Loss or accuracy on each recorded step's minibatch, raw and (smoothing > 0) smoothed."""
    return View({"spec": _finish(curve_spec(quantity, total, height, smoothing > 0, True), rule=True),
            "view": {"kind": "curve", "name": quantity, "quantity": quantity, "smoothing": smoothing, "rule": True,
                     "height": height}})


@_kept
def heatmap(total: int, height: int = 220) -> dict:
    return View({"spec": _finish(heatmap_spec(total, height, True), rule=True),
            "view": {"kind": "heatmap", "name": "heat map", "rule": True, "height": height}})


@_kept
def profile(depth: int, height: int = 220) -> dict:
    """grad_norm against depth at the shown step (SVG: a dozen points, and the browser tests count them)."""
    # the page keeps this height, 8 px more than the chart needs: its y axis's top label reaches above the plot
    # or not, by the values (4 px at depth 100), and the charts below must not move
    return View({"spec": _finish(profile_spec(depth, height, False)),
            "view": {"kind": "profile", "name": "profile", "renderer": "svg", "height": height + PROFILE_FRAME + 8}})


@_kept
def histograms(depth: int, kind: str) -> dict:
    # panels of five; the page keeps this height from before the first step on, and 8 px more than the chart
    # needs, since the top panels' "100%" label reaches above them or not, by the values
    rows = -(-min(depth, 10) // 5)
    return View({"spec": _finish(panels_spec(depth, kind, False), stretch=False),
            "view": {"kind": "histograms", "name": f"{kind} histograms", "histogram": kind, "height": 28 + 136 * rows}})


def boundary(points, has_boundary: bool, classes: int, height: int) -> dict:
    """The 2-D data (sent with the spec: it never changes during a run) over the predicted class."""
    spec = boundary_spec(height, False, has_boundary, classes)
    datasets = {"points": points.to_dict("records")}
    if has_boundary:
        datasets.update(grid=[], samples=[])  # filled from the run's samples
    else:
        datasets["samples"] = [{"k": 0, "caption": "data"}]
    return View({"spec": _finish({**spec, "datasets": datasets}),
            "view": {"kind": "boundary", "name": "boundary", "height": height}})


@_kept
def chain(layer: int, residual: bool) -> dict:
    """Layer `layer`'s chain rule δ_l = (W_(l+1)ᵀ δ_(l+1)) ⊙ φ'(z_l), with the shown step's numbers."""
    return View({"spec": _finish(numbers_spec()),
            "view": {"kind": "chain", "name": "chain rule", "layer": layer, "residual": residual,
                     "titles": numbers_titles(layer, residual), "height": 132}})


@_kept
def factors(depth: int, layer: int, height: int = 260) -> dict:
    """Every layer's factor along depth at the shown step, the picked layer marked."""
    return View({"spec": _finish(factors_spec(depth, layer, height)),
            "view": {"kind": "factors", "name": "factors", "height": height + 60}})
