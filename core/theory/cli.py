"""`python -m core theory`: mean-field predictions for one activation and (sigma_w, sigma_b), as JSON.

    python -m core theory --activation tanh --sigma-w 1.5 --sigma-b 0.3 --depth 20 --out -

Writes {"q": [layers 1..L], "chi": [layers 1..L], "q_star", "chi_star", "depth_scale", "regime", ...}
starting from unit-variance inputs (q_1 = sigma_w^2 + sigma_b^2). JSON has no infinity: q_star is null
where the signal grows without bound, depth_scale is null at criticality (chi* = 1, an infinite scale).
Where q grows past float64's largest number, q and chi are null from that layer on, and "overflow" (on
standard error too) says at which layer; otherwise "overflow" is null.
"""
import json
import math
import sys

from core.activation_table import ACTIVATIONS
from core.outside_text import outside
from core.theory.meanfield import chi_at_fixed_point, depth_scale, fixed_point, overflow_layer, propagate, regime

MAX_DEPTH = 10_000


def add_parser(commands):
    theory = commands.add_parser("theory", help="mean-field predictions (q, chi, q*, chi*, depth scale) as JSON")
    theory.add_argument("--activation", required=True, metavar="NAME", help=f"one of {', '.join(ACTIVATIONS)}")
    theory.add_argument("--sigma-w", required=True, metavar="S", help="weight scale: Var(W) = S^2 / fan_in (S >= 0)")
    theory.add_argument("--sigma-b", default="0", metavar="B", help="bias spread: biases ~ N(0, B^2) (B >= 0; default 0)")
    theory.add_argument("--depth", default="10", metavar="L", help=f"hidden layers, 1 to {MAX_DEPTH} (default 10)")
    theory.add_argument("--alpha", default="0.1", metavar="A", help="slope below 0 of leaky_relu and necro_relu (default 0.1)")
    theory.add_argument("--out", default="-", metavar="FILE", help="where to write the JSON; - is standard output")
    return theory


def _number(parser, flag, text, low, high, integer=False):
    try:
        value = int(text) if integer else float(text)
    except ValueError:
        value = None
    if value is None or not math.isfinite(value) or not low <= value <= high:
        kind = "an integer" if integer else "a number"
        parser.error(f"{flag} = {outside(text)} is not allowed: {kind} from {low:g} to {high:g}")
    return value


def _finite(value):
    return value if math.isfinite(value) else None


def overflow_note(q, depth: int):
    """{"layer", "note"} where q overflowed float64, or None."""
    layer = overflow_layer(q)
    if layer is None:
        return None
    before = f", after {q[layer - 2]:.3g} at layer {layer - 1}" if layer > 1 else ""
    return {"layer": layer, "note": f"q overflows at layer {layer}: it passes float64's largest number "
                                    f"({sys.float_info.max:.3g}{before}), so q and chi are null from layer {layer} "
                                    f"to {depth} (the signal grows without bound)"}


def predictions(activation, sigma_w, sigma_b, depth, alpha=0.1) -> dict:
    q, chis = propagate(activation, sigma_w, sigma_b, depth, sigma_w ** 2 + sigma_b ** 2, alpha)
    q, chis = q[:, 0], chis[:, 0]
    q_star = float(fixed_point(activation, sigma_w, sigma_b, alpha))
    chi_star = float(chi_at_fixed_point(activation, sigma_w, sigma_b, alpha))
    return {
        "activation": activation, "sigma_w": sigma_w, "sigma_b": sigma_b, "alpha": alpha, "depth": depth,
        "q0": 1.0, "q": [_finite(float(v)) for v in q], "chi": [_finite(float(v)) for v in chis],
        "q_star": _finite(q_star), "chi_star": _finite(chi_star),
        "depth_scale": _finite(float(depth_scale(chi_star))), "regime": regime(chi_star),
        "notes": "q: mean of z^2 of layers 1..depth from unit-variance inputs; chi: sigma_w^2 E[phi'(z)^2] at each "
                 "layer's q; q_star: the q map's limit (null: grows without bound); depth_scale: 1/|ln chi_star| "
                 "layers (null: critical, infinite); regime: ordered (chi* < 1, gradients vanish), chaotic "
                 "(chi* > 1, they explode) or critical; overflow: where q passed float64's largest number "
                 "(null: nowhere)",
        "overflow": overflow_note(q, depth),
    }


def main(args, parser) -> int:
    if args.activation not in ACTIVATIONS:
        parser.error(f"--activation = {outside(args.activation)} is not allowed: one of {', '.join(ACTIVATIONS)}")
    sigma_w = _number(parser, "--sigma-w", args.sigma_w, 0.0, 100.0)
    sigma_b = _number(parser, "--sigma-b", args.sigma_b, 0.0, 100.0)
    depth = _number(parser, "--depth", args.depth, 1, MAX_DEPTH, integer=True)
    alpha = _number(parser, "--alpha", args.alpha, 0.0, 1.0)
    result = predictions(args.activation, sigma_w, sigma_b, depth, alpha)
    if result["overflow"] is not None:
        print(f"note: {result['overflow']['note']}", file=sys.stderr)
    text = json.dumps(result, allow_nan=False)
    if args.out == "-":
        sys.stdout.write(text + "\n")
        return 0
    try:
        with open(args.out, "w") as handle:
            handle.write(text + "\n")
    except OSError as error:
        parser.error(f"--out = {outside(args.out)} cannot be written: {error.strerror}")
    return 0
