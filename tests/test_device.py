from core.engine.device import badge_text, choose_device


def test_a_visible_gpu_is_chosen_unless_the_cpu_is_forced():
    assert choose_device(["NVIDIA A100"], force_cpu=False) == "GPU:0"
    assert choose_device(["NVIDIA A100"], force_cpu=True) == "CPU:0"
    assert choose_device([], force_cpu=False) == "CPU:0"


def test_badge_names_the_device_that_runs():
    assert badge_text(["NVIDIA A100"]) == "GPU: NVIDIA A100"
    assert badge_text([]) == "CPU (no GPU visible to TensorFlow)"
    assert badge_text(["NVIDIA A100"], force_cpu=True) == "CPU (forced; GPU NVIDIA A100 is visible)"


def test_record_names_the_device_that_ran(pool):
    from core.config import RunConfig
    from core.engine.run import run_to_end

    record = run_to_end(RunConfig(depth=1, width=4, steps=0, cpu=True), pool)
    assert record.device == "CPU:0"
