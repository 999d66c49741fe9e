"""The Keras code export of a run on an uploaded CSV reads the student's own file again."""
import re
import subprocess
import sys

import numpy as np
import pytest

from core.config import RunConfig
from core.engine.run import run_to_end
from core.engine.upload_store import STORE
from core.engine.uploads import parse_csv
from core.export.keras_code import keras_code
from helpers.keras_env import FRESH_ENV


def three_blobs() -> bytes:
    rng = np.random.default_rng(3)
    centres = {"setosa": (0, 0), "versicolor": (30, 0), "virginica": (15, 25)}  # one column ten times the other
    rows = [f"{cx + rng.normal(0, 7):.4f};{(cy + rng.normal(0, 7)) / 10:.4f};{name}"
            for _ in range(70) for name, (cx, cy) in centres.items()]
    return "\n".join(["petal_length;petal_width;species"] + rows).encode()


def latin1_with_empty_rows() -> bytes:
    """An older spreadsheet's export: Latin-1 (a class named 'séparée'), and rows of empty cells at the end."""
    return three_blobs().decode().replace("setosa", "séparée").encode("latin-1") + b"\n;;\n;;\n"


@pytest.mark.parametrize("make", [three_blobs, latin1_with_empty_rows], ids=["utf-8", "latin-1 with empty rows"])
def test_the_generated_script_reads_the_csv_and_its_first_loss_is_the_engines_step_0_loss(pool, tmp_path, make):
    data = make()
    name = STORE.put(parse_csv(data, label="species", filename="iris_like.csv"))
    config = RunConfig(dataset=name, samples=150, depth=3, width=16, steps=20, record_every=5, seed=2)
    record = run_to_end(config, pool)
    (tmp_path / "iris_like.csv").write_bytes(data)
    code = keras_code(config, classes=3)
    assert "pd.read_csv('iris_like.csv', sep=';', encoding=\"utf-8-sig\")" in code and "table.pop('species')" in code
    script = tmp_path / "run.py"
    script.write_text(code.replace("STEPS = 20\n", "STEPS = 6\n"))
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=FRESH_ENV, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-2000:]
    losses = {int(step): float(loss) for step, loss in re.findall(r"step +(\d+) +loss ([-+0-9.eE]+|nan)", out.stdout)}
    np.testing.assert_allclose(losses[0], record.loss[0], rtol=1e-5)
    np.testing.assert_allclose(losses[5], record.loss[record.steps.index(5)], rtol=1e-3)  # the same rows and batches


def test_the_script_of_a_lost_upload_asks_for_the_file_instead_of_failing():
    code = keras_code(RunConfig(dataset="upload:00000000cafe"), classes=2)
    assert "this server no longer has it" in code and "pd.read_csv('your_data.csv'" in code


def test_a_saved_run_on_a_lost_upload_draws_every_view_but_the_boundary(pool):
    from core.export.views import BOUNDARY_VIEW, draw_every_view, view_names
    from core.record import RunRecord

    name = STORE.put(parse_csv(three_blobs(), label="species", filename="iris_like.csv"))
    record = run_to_end(RunConfig(dataset=name, samples=150, depth=2, width=8, steps=10, record_every=5), pool)
    assert BOUNDARY_VIEW in view_names(record)
    saved = RunRecord.from_json(record.to_json())
    saved.config["dataset"] = "upload:00000000f00d"  # as if the server had restarted since
    assert BOUNDARY_VIEW not in view_names(saved)
    draw_every_view(saved)  # raises if any view cannot be drawn
