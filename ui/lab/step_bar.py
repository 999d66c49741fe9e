"""The step bar: Play, a speed control, the step input that replay charts bind to, and the diagnosis.

Replay happens in the browser: every replay Figure has a Vega-Lite parameter bound to this bar's range
input (core.charts.STEP_INPUT), so scrubbing and Play never wait for the server. The bar's HTML changes
only when the run or its recorded steps change, which is exactly when the replay figures change too
(they carry charts.replay_token), so a figure is always bound to the input on the page.
"""
import html
import json

import streamlit as st

from core import charts
from core.diagnosis import THRESHOLDS, diagnose, diagnose_every_step

SPEEDS = (2, 5, 10, 20, 30)  # frames a second
DEFAULT_SPEED = 10
VERDICT_CLASS = {"healthy": "ok", "diverged": "bad", "exploding": "bad"}

CSS = """<style>
.gfe-bar{display:flex;align-items:center;gap:.8rem;font-family:inherit;font-size:.9rem}
.gfe-bar input[type=range]{flex:1;accent-color:#ff4b4b}
.gfe-bar button{min-width:5.5rem;padding:.25rem .6rem;border:1px solid rgba(49,51,63,.3);border-radius:.5rem;
 background:#fff;cursor:pointer;font:inherit}
.gfe-bar button:disabled,.gfe-bar select:disabled{opacity:.45;cursor:default}
.gfe-label{min-width:10.5rem;font-variant-numeric:tabular-nums}
.gfe-diagnosis{min-height:8.6rem;margin-top:.6rem}
.gfe-verdict{padding:.45rem .8rem;border-radius:.5rem;margin-bottom:.4rem;font-size:.88rem;line-height:1.35}
.gfe-verdict.warn{background:rgba(255,227,18,.12);color:#7a5b00}
.gfe-verdict.bad{background:rgba(255,43,43,.09);color:#7d353b}
.gfe-verdict.ok{background:rgba(33,195,84,.1);color:#177233}
.gfe-thresholds{color:rgba(49,51,63,.6);font-size:.78rem}
</style>"""

SCRIPT = """<script>(() => {
  const root = document.currentScript.closest('.gfe-step-bar');
  const input = root.querySelector('input[type=range]'), play = root.querySelector('.gfe-play');
  const speed = root.querySelector('.gfe-speed'), label = root.querySelector('.gfe-label');
  const diagnosis = root.querySelector('.gfe-diagnosis');
  const steps = __STEPS__, verdicts = __VERDICTS__, total = __TOTAL__;
  const show = () => {
    const i = +input.value;
    label.textContent = `step ${steps[i]} of ${total}`;
    diagnosis.innerHTML = verdicts[i];
  };
  // Play keeps its own clock: each frame is due 1/speed s after the previous one was due, so the time the
  // charts take to draw does not slow the replay down (a plain setInterval lost about one frame in ten).
  let timer = null, due = 0;
  const stop = () => { clearTimeout(timer); timer = null; play.textContent = '\u25B6 Play'; };
  const move = (i) => { input.value = i; input.dispatchEvent(new Event('input')); };
  const schedule = () => {
    due += 1000 / +speed.value;
    timer = setTimeout(tick, Math.max(0, due - performance.now()));
  };
  const tick = () => {
    if (!input.isConnected) return stop();  // the page drew a new bar (a new run)
    const next = +input.value + 1;
    if (next < steps.length) move(next);
    if (next >= steps.length - 1) return stop();  // Play stops at the end
    schedule();
  };
  const start = () => { due = performance.now(); play.textContent = '\u25A0 Stop'; schedule(); };
  play.addEventListener('click', () => {
    if (timer) return stop();
    if (+input.value >= steps.length - 1) move(0);  // from the start when at the end
    start();
  });
  speed.addEventListener('change', () => { if (timer) { clearTimeout(timer); start(); } });
  input.addEventListener('input', show);
  show();
})();</script>"""


def _verdicts_html(verdicts) -> str:
    return "".join(
        f'<div class="gfe-verdict {VERDICT_CLASS.get(v.kind, "warn")}"><b>{html.escape(v.headline)}.</b> '
        f'{html.escape(v.explanation)}</div>' for v in verdicts)


def _bar(record, total, live: bool, verdicts_html: str) -> str:
    last = len(record.steps) - 1
    disabled = " disabled" if live else ""
    options = "".join(f'<option value="{s}"{" selected" if s == DEFAULT_SPEED else ""}>{s} frames/s</option>'
                      for s in SPEEDS)
    title = "Pause to scrub through the recorded steps" if live else "Scrub through the recorded steps (arrow keys step)"
    return (
        f'<div class="gfe-step-bar" data-replay="{"" if live else charts.replay_token(record)}">'
        f'<div class="gfe-bar"><button class="gfe-play"{disabled} title="Replay the recorded steps">&#9654; Play</button>'
        f'<input id="{charts.STEP_INPUT[1:]}" type="range" min="0" max="{last}" value="{last}" step="1" '
        f'aria-label="step" title="{title}"{disabled}>'
        f'<span class="gfe-label">step {record.steps[-1]} of {total}{" · live" if live else ""}</span>'
        f'<select class="gfe-speed" aria-label="replay speed"{disabled}>{options}</select></div>'
        f'<div class="gfe-diagnosis">{verdicts_html}</div>'
        f'<div class="gfe-thresholds">{html.escape(THRESHOLDS)}</div>')


def step_bar(record, total: int, live: bool):
    """Live: the latest step and its diagnosis (the input is disabled while training). Replay: every recorded
    step's diagnosis goes to the browser once; the script shows the selected one and runs Play."""
    if live:
        st.html(CSS + _bar(record, total, True, _verdicts_html(diagnose(record))) + "</div>")
        return
    memo = st.session_state.get("lab_step_bar")
    token = charts.replay_token(record)
    if memo is None or memo[0] != token:
        verdicts = [_verdicts_html(v) for v in diagnose_every_step(record)]
        # No "<" inside the script: DOMPurify drops a script whose text looks like markup.
        script = (SCRIPT.replace("__STEPS__", json.dumps(record.steps))
                  .replace("__VERDICTS__", json.dumps(verdicts).replace("<", "\\u003c"))
                  .replace("__TOTAL__", str(total)))
        memo = (token, CSS + _bar(record, total, False, verdicts[-1]) + script + "</div>")
        st.session_state["lab_step_bar"] = memo
    st.html(memo[1], unsafe_allow_javascript=True)
