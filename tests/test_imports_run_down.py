"""The configuration, the record, the lessons and the theory load no TensorFlow: reading a lesson link, a
record or `python -m core theory` stays light, and the web process can leave TensorFlow to its workers."""
import json
import subprocess
import sys

import pytest

HEAVY = ("tensorflow", "keras")


def loaded_after(code: str) -> list:
    """The heavy modules in sys.modules after running `code` in a fresh interpreter."""
    probe = f"{code}\nimport sys, json\nprint(json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {HEAVY!r})))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("module", [
    "core.config", "core.record", "core.metrics", "core.activation_table", "core.initializer_table",
    "core.lessons.links", "core.lessons.presets", "core.theory.meanfield", "core.theory.predict",
    "core.theory.initializers", "core.theory.phase", "core.theory.activation_facts", "core.theory.cli",
])
def test_importing_the_module_loads_no_tensorflow(module):
    assert loaded_after(f"import {module}") == []


def test_a_default_run_config_its_lesson_link_and_its_theory_line_load_no_tensorflow():
    code = """
from core.config import RunConfig
from core.lessons.links import Lesson, lesson_params
from core.lessons.presets import PRESETS
from core.theory import initializers
config = RunConfig(depth=20, activation="tanh", initializer="he_normal", bias_initializer="zeros")
lesson_params(Lesson(configs=(config,)))
assert abs(initializers.sigma_w("he_normal", 32, 32) ** 2 - 2.0) < 1e-12
assert initializers.bias("zeros").std == 0.0
"""
    assert loaded_after(code) == []


def test_a_keras_config_dict_is_still_checked_by_keras():
    code = """
from core.config import ConfigError, RunConfig
try:
    RunConfig(initializer={"class_name": "Orthogonal", "config": {"gain": "big"}})
except ConfigError as error:
    assert "initializer" in str(error)
else:
    raise AssertionError("accepted")
"""
    assert "keras" in loaded_after(code)


def test_every_menu_initializer_and_every_lessons_config_is_checked_and_predicted_without_tensorflow():
    code = """
from core.config import RunConfig
from core.initializer_table import COMMON_KERNEL_INITIALIZERS
from core.lessons.presets import PRESETS
from core.theory.predict import predict_for_config
configs = [RunConfig(initializer=name, bias_initializer=bias) for name in COMMON_KERNEL_INITIALIZERS
           for bias in ("zeros", "ones")]
configs += [config for preset in PRESETS for config in preset.configs]
for config in configs:
    predict_for_config(config)
"""
    assert loaded_after(code) == []
