"""Charts as PNG and SVG, and the gradient-flow GIF, rendered without a browser (vl-convert and Pillow)."""
import io
from types import SimpleNamespace

import numpy as np
import pytest
from PIL import Image

from core.config import RunConfig
from core.engine.run import run_to_end
from core.export import images
from core.export.views import BOUNDARY_VIEW, view, view_names


@pytest.fixture(scope="module")
def record(pool):
    return run_to_end(RunConfig(depth=4, width=16, steps=40, record_every=5), pool)


def test_every_chart_the_lab_offers_renders_as_a_png_with_something_drawn_and_as_an_svg(record):
    names = view_names(record)
    assert BOUNDARY_VIEW in names and len(names) == 12
    for name in names:
        png = Image.open(io.BytesIO(images.to_png(view(record, name))))
        assert png.format == "PNG" and png.size[0] >= images.EXPORT_WIDTH, name
        assert np.asarray(png.convert("L")).std() > 10, f"{name}: the picture is blank"
        svg = images.to_svg(view(record, name))
        assert svg.lstrip().startswith("<svg") and "<path" in svg, name


def test_the_gif_has_one_frame_per_recorded_step_of_one_size_and_they_change_over_the_run(record):
    gif = Image.open(io.BytesIO(images.gradient_flow_gif(record)))
    assert images.gif_steps(record) == record.steps  # 9 recorded steps, fewer than 40: every one
    assert gif.format == "GIF" and gif.n_frames == len(record.steps) and gif.info["loop"] == 0
    frames = []
    for index in range(gif.n_frames):
        gif.seek(index)
        frames.append(np.asarray(gif.convert("RGB"), dtype=int))
    assert {frame.shape for frame in frames} == {frames[0].shape}
    assert np.abs(frames[0] - frames[-1]).sum() > 0, "the first and the last step look the same"


def test_a_long_run_gives_forty_evenly_spread_frames_from_the_first_step_to_the_last():
    run = SimpleNamespace(steps=list(range(0, 1001, 2)))  # 501 recorded steps
    steps = images.gif_steps(run)
    assert len(steps) == images.GIF_FRAMES == 40 and steps[0] == 0 and steps[-1] == 1000
    gaps = np.diff(steps)
    assert gaps.min() > 0 and gaps.max() - gaps.min() <= 2  # one recorded step (2 steps) apart at most
