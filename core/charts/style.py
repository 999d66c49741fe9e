"""Shared chart parts. One color per layer on a sequential scale from input to output, the same legend on
every chart. Channels are spelled out (field=..., type=...) rather than as "name:Q" shorthands: Altair
parses shorthands through its schema, which made a page of charts ten times slower to build."""
import altair as alt

LAYER_SCHEME = "viridis"


def q(field, **options):
    return dict(field=field, type="quantitative", **options)


def n(field, **options):
    return dict(field=field, type="nominal", **options)


def o(field, **options):
    return dict(field=field, type="ordinal", **options)


def layer_color(depth: int, legend: bool = True):
    return alt.Color(
        **q("layer_index"),
        title="layer (1 = input)",
        scale=alt.Scale(scheme=LAYER_SCHEME, domain=[1, max(depth, 2)]),
        legend=alt.Legend(orient="right", gradientLength=120, tickCount=min(depth, 5), format="d") if legend else None,
    )


def shown_layers(depth: int, most: int = 10) -> list:
    """At most `most` layer indices (1-based), evenly spread and always with the first and the last."""
    if depth <= most:
        return list(range(1, depth + 1))
    picks = {round(1 + i * (depth - 1) / (most - 1)) for i in range(most)}
    return sorted(picks)
