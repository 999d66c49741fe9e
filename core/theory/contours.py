"""Contour lines of a function sampled on a grid (marching squares), as separate straight segments.

Segments are enough to draw a contour (Vega-Lite's rule mark takes x, y, x2, y2), whatever its topology,
so nothing here joins them into polylines. NaN cells draw nothing."""
import numpy as np

# For each of the 16 corner patterns (bit 0: bottom-left, 1: bottom-right, 2: top-right, 3: top-left above
# the level), the cell edges a segment joins: 0 bottom, 1 right, 2 top, 3 left. Saddles (5, 10) join the
# edges as if the centre were below the level.
_EDGES = {1: [(3, 0)], 2: [(0, 1)], 3: [(3, 1)], 4: [(1, 2)], 5: [(3, 2), (0, 1)], 6: [(0, 2)], 7: [(3, 2)],
          8: [(2, 3)], 9: [(2, 0)], 10: [(2, 1), (0, 3)], 11: [(2, 1)], 12: [(1, 3)], 13: [(1, 0)], 14: [(0, 3)]}


def segments(xs, ys, values, level: float) -> np.ndarray:
    """[k, 4] array of (x1, y1, x2, y2) where values[j, i] (at xs[i], ys[j]) crosses `level`."""
    xs, ys, values = np.asarray(xs, float), np.asarray(ys, float), np.asarray(values, float)
    found = []
    for j in range(len(ys) - 1):
        for i in range(len(xs) - 1):
            corners = (values[j, i], values[j, i + 1], values[j + 1, i + 1], values[j + 1, i])
            if not np.all(np.isfinite(corners)):
                continue
            pattern = sum(1 << k for k, value in enumerate(corners) if value > level)
            for first, second in _EDGES.get(pattern, []):
                found.append(_point(xs, ys, i, j, corners, first, level) + _point(xs, ys, i, j, corners, second, level))
    return np.array(found, dtype=float).reshape(-1, 4)


def _point(xs, ys, i, j, corners, edge, level):
    """Where the level crosses one edge of cell (i, j), by linear interpolation."""
    x0, x1, y0, y1 = xs[i], xs[i + 1], ys[j], ys[j + 1]
    bl, br, tr, tl = corners
    ends = {0: ((x0, y0, bl), (x1, y0, br)), 1: ((x1, y0, br), (x1, y1, tr)),
            2: ((x1, y1, tr), (x0, y1, tl)), 3: ((x0, y1, tl), (x0, y0, bl))}[edge]
    (xa, ya, va), (xb, yb, vb) = ends
    t = 0.5 if vb == va else (level - va) / (vb - va)
    return (xa + t * (xb - xa), ya + t * (yb - ya))
