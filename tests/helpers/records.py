"""What the record-import tests share: damaging an exported record at a path, and any JSON value to put there."""
import copy

from hypothesis import strategies as st


def mutate(data: dict, path: list, value):
    """A copy of the record with the value at `path` (keys and list indices, wrapped around) replaced."""
    data = copy.deepcopy(data)
    node = data
    for depth, step in enumerate(path):
        if isinstance(node, dict) and node:
            key = sorted(node)[step % len(node)]
        elif isinstance(node, list) and node:
            key = step % len(node)
        else:
            break
        if depth == len(path) - 1 or not isinstance(node[key], (dict, list)):
            node[key] = value
            return data
        node = node[key]
    return data


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=12)
