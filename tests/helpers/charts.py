"""What the chart tests share: the Vega-Lite schema a figure must validate against, and finding inline rows."""
import altair as alt

SCHEMA = alt.vegalite.v6.schema.core.load_schema() if hasattr(alt.vegalite.v6.schema.core, "load_schema") else \
    alt.vegalite.v6.schema.load_schema()


def inline_rows(node) -> list:
    """Inline data of more than one row anywhere in a spec (a guide's single constant row is fine)."""
    if isinstance(node, dict):
        found = [node["values"]] if isinstance(node.get("values"), list) and len(node["values"]) > 1 else []
        return found + [rows for value in node.values() for rows in inline_rows(value)]
    if isinstance(node, list):
        return [rows for value in node for rows in inline_rows(value)]
    return []
