"""The chain rule of one layer in Chromium: the page's script fills in the picked layer's numbers and every
layer's factor from the step on the step bar, exactly as core/chain_rule.py reads them from a record."""
import os

import numpy as np
import pytest

from core.chain_rule import factors_along_depth, layer_chain
from core.record import RunRecord
from helpers.browser import ARTIFACTS, require_chromium, wait_finished

require_chromium()

VIEW_ROWS = """(name) => { const v = [...window.gfeLive.views].find(v => v.spec.name === name);
  return v && v.vega ? {shown: v.shown, rows: v.vega.data('rows')} : null; }"""
# The store's chunk at an index, as plain numbers: what the page's script computed its rows from.
CHUNK = """(i) => { const s = window.gfeLive.store, c = s.chunks[i];
  return {step: c.step, metrics: [...c.metrics], zeros: [...c.zeros], names: s.header.metrics, layers: s.header.layers}; }"""


def record_of(chunk: dict, residual: bool) -> RunRecord:
    """A one-step record holding the chunk's numbers, for core/chain_rule.py to read."""
    layers = chunk["layers"]
    values = np.asarray(chunk["metrics"], float).reshape(len(chunk["names"]), layers)
    total = 10**6  # δ's exact zeros as counts of a histogram of that many values
    zeros = np.asarray(chunk["zeros"], float) * total
    return RunRecord(config={"residual": residual}, device="cpu", layers=[f"hidden_{i + 1}" for i in range(layers)],
                     steps=[chunk["step"]], metrics={name: [values[row]] for row, name in enumerate(chunk["names"])},
                     histograms={"delta": {"zeros": [zeros], "counts": [(total - zeros)[:, None]]}})


def scrub_to(page, index: int):
    page.evaluate("(i) => { const bar = document.getElementById('gfe-step'); bar.value = i; "
                  "bar.dispatchEvent(new Event('input')); }", index)
    page.wait_for_function(f"() => {{ const v = ({VIEW_ROWS})('chain rule'); return v && v.shown === {index}; }}",
                           timeout=10_000)
    page.wait_for_function(f"() => {{ const v = ({VIEW_ROWS})('factors'); return v && v.shown === {index}; }}",
                           timeout=10_000)


def shown(page, name: str) -> list:
    return page.evaluate(VIEW_ROWS, name)["rows"]


@pytest.mark.parametrize("link, residual", [("depth=8&activation=tanh&steps=200&record_every=10&seed=5", False),
                                            ("depth=6&activation=relu&residual=true&steps=100&record_every=10&seed=6", True)])
def test_the_chain_rules_numbers_and_factors_follow_the_step_bar_as_the_record_has_them(server, browser, link, residual):
    page = browser.new_page(viewport={"width": 1400, "height": 1800})  # the figures and the factors on screen: drawn
    page.goto(f"{server}/?{link}")
    wait_finished(page, timeout=120_000)
    page.get_by_text("The chain rule of one layer").scroll_into_view_if_needed()
    for index in (2, 7):  # two steps of the replay: the views follow the bar
        scrub_to(page, index)
        record = record_of(page.evaluate(CHUNK, index), residual)
        chain = layer_chain(record, 0, 1)
        figures = {row["title"]: row["value"] for row in shown(page, "chain rule")}
        assert figures["at step"] == str(record.steps[0])
        for title, expected in (("rms δ_2", chain.delta_above), ("= rms δ_1", chain.delta),
                                ("× the activation's factor", chain.activation_factor),
                                ("rms φ'(z_1)", chain.slope_rms)):
            assert float(figures[title]) == pytest.approx(expected, rel=5e-3), title  # three significant digits
        weights = next(value for title, value in figures.items() if title.startswith("× the weights' gain"))
        assert float(weights) == pytest.approx(chain.weight_factor, rel=5e-3)
        assert figures["φ'(z_1) exactly 0 on"] == f"{100 * chain.slope_zeros:.1f}%"
        if residual:
            assert float(figures["skip: rms ∂loss/∂h_2"]) == pytest.approx(chain.skip, rel=5e-3)
        expected = factors_along_depth(record, 0)
        expected = expected[np.isfinite(expected.value) & (expected.value > 0)]
        drawn = shown(page, "factors")
        assert len(drawn) == len(expected) > 0
        for row in drawn:
            match = expected[(expected.layer_index == row["layer_index"]) & (expected.factor == row["factor"])]
            assert row["value"] == pytest.approx(float(match.value.iloc[0]), rel=1e-6)
    os.makedirs(ARTIFACTS, exist_ok=True)
    page.set_viewport_size({"width": 1400, "height": 900})
    page.get_by_text("The chain rule of one layer").scroll_into_view_if_needed()
    page.wait_for_timeout(1000)
    page.screenshot(path=os.path.join(ARTIFACTS, f"chain_rule{'_residual' if residual else ''}_1400x900.png"))
    page.close()
