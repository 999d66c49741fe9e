"""Charts as PNG and SVG, and the gradient-flow view over the run as an animated GIF for slides.

vl-convert renders Vega-Lite without a browser; Pillow assembles the GIF. Exports draw the last recorded
step (a Figure built as the live view draws it), with the rows inlined in the spec.
"""
import io

import numpy as np
import vl_convert
from PIL import Image

from core import charts

EXPORT_WIDTH = 640  # charts on the page stretch to their column; a file needs a width of its own
GIF_FRAMES = 40  # at most: a GIF of every recorded step would be tens of megabytes
GIF_FRAME_MS = 120


def standalone(figure: charts.Figure, width: int = EXPORT_WIDTH) -> dict:
    """A self-contained Vega-Lite spec: the rows inline, a fixed width, no page-only metadata."""
    spec = {key: value for key, value in figure.to_vega_lite().items() if key != "usermeta"}
    if spec.get("width") in (None, "container"):
        spec["width"] = width
    return spec


def to_png(figure: charts.Figure, scale: float = 2.0) -> bytes:
    return vl_convert.vegalite_to_png(standalone(figure), scale=scale)


def to_svg(figure: charts.Figure) -> str:
    return vl_convert.vegalite_to_svg(standalone(figure))


def gif_steps(record, most: int = GIF_FRAMES) -> list:
    """Evenly spread recorded steps, always with the first and the last."""
    indices = np.unique(np.linspace(0, len(record.steps) - 1, min(most, len(record.steps))).round().astype(int))
    return [record.steps[i] for i in indices]


def _with_fixed_y(spec: dict, low: float, high: float) -> dict:
    """The same y domain in every frame, so the points move instead of the axis."""
    def fix(node):
        if isinstance(node, dict):
            encoding = node.get("encoding", {})
            if "y" in encoding:
                y = dict(encoding["y"])
                y["scale"] = {**y.get("scale", {}), "domain": [low, high]}
                node = {**node, "encoding": {**encoding, "y": y}}
            return {key: fix(value) for key, value in node.items()}
        if isinstance(node, list):
            return [fix(value) for value in node]
        return node
    return fix(spec)


def gradient_flow_gif(record, most: int = GIF_FRAMES, frame_ms: int = GIF_FRAME_MS) -> bytes:
    """grad_norm by layer at evenly spread steps, one frame each, on one fixed log axis."""
    grad = record.metric("grad_norm")
    positive = grad[np.isfinite(grad) & (grad > 0)]
    if positive.size == 0:
        raise ValueError("the run recorded no positive, finite gradient norms, so there is nothing to animate")
    low, high = 10 ** np.floor(np.log10(positive.min())), 10 ** np.ceil(np.log10(positive.max()))
    frames = []
    for step in gif_steps(record, most):
        figure = charts.gradient_profile(record, step=step, height=300)
        spec = _with_fixed_y(standalone(figure), float(low), float(high))
        row = grad[record.step_index(step)]
        lost = "" if np.isfinite(row).all() else " · diverged: some gradients are not finite"
        spec["title"] = f"grad_norm by layer · step {step} of {record.steps[-1]}{lost}"
        png = vl_convert.vegalite_to_png(spec, scale=1.5)
        frames.append(Image.open(io.BytesIO(png)).convert("RGB"))
    palette = [frame.convert("P", palette=Image.Palette.ADAPTIVE, colors=128) for frame in frames]
    out = io.BytesIO()
    durations = [frame_ms] * (len(palette) - 1) + [frame_ms * 12]  # linger on the last step
    palette[0].save(out, format="GIF", save_all=True, append_images=palette[1:], duration=durations, loop=0,
                    optimize=True)
    return out.getvalue()
