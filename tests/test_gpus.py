"""One local worker per GPU, each seeing only its own (core/serve/gpus.py, core/sweep/cluster.py). This machine
has no GPU, so the selection is tested on the CPU: real worker processes started as a GPU machine would be."""
import os

import pytest
from dask.distributed import Client

from core.outside_text import plain
from core.serve.gpus import CUDA_VARIABLE, badge, visible_gpus, worker_environments
from core.sweep import cluster as sweep_cluster


@pytest.mark.parametrize("listed, gpus", [
    ("0,1", ["0", "1"]), ("3", ["3"]), ("", []), ("-1", []), ("2,-1,0", ["2"]), (" 1 , 2 ", ["1", "2"]),
    ("GPU-8a1f", ["GPU-8a1f"]),  # a UUID, as nvidia-smi -L prints it
])
def test_cuda_visible_devices_names_the_gpus_to_hand_out_as_cuda_reads_it(listed, gpus):
    assert visible_gpus({CUDA_VARIABLE: listed}, device_count=lambda: 8) == gpus


def test_without_cuda_visible_devices_every_gpu_the_driver_counts_is_handed_out_and_none_without_a_driver():
    assert visible_gpus({}, device_count=lambda: 3) == ["0", "1", "2"]

    def no_driver():
        raise OSError("libnvidia-ml.so.1: cannot open shared object file")

    assert visible_gpus({}, device_count=no_driver) == []


def test_each_gpu_gets_a_worker_that_sees_only_it_and_a_cpu_machine_gets_the_cpu_workers():
    base = {"TF_CPP_MIN_LOG_LEVEL": "3"}
    assert worker_environments(["2", "5"], 7, base) == [{**base, CUDA_VARIABLE: "2"}, {**base, CUDA_VARIABLE: "5"}]
    assert worker_environments([], 3, base) == [base] * 3
    assert base == {"TF_CPP_MIN_LOG_LEVEL": "3"}  # each worker's environment is its own copy


def test_the_badge_names_every_gpu_of_every_worker_or_says_cpu():
    assert plain(badge([["NVIDIA A100"], ["NVIDIA L4"]])) == "2 GPUs on 2 Dask workers: NVIDIA A100, NVIDIA L4"
    assert badge([[], []]) == "CPU (2 Dask workers, no GPU visible to TensorFlow)"
    assert plain(badge([["NVIDIA T4"]])) == "1 GPU on 1 Dask worker: NVIDIA T4"
    assert badge([]) == "no Dask worker is running yet"


def test_a_gpu_name_a_worker_reports_is_shown_literally_not_as_markdown():
    from ui.text import markdown

    shown = markdown(f"Device: {badge([['[update](http://evil.example)']])}")
    assert shown == "Device: 1 GPU on 1 Dask worker: `[update](http://evil.example)`"


def test_a_local_cluster_for_two_gpus_starts_two_worker_processes_each_seeing_its_own_gpu():
    local = sweep_cluster.local_cluster(gpus=["0", "1"], environ={sweep_cluster.MEMORY_VARIABLE: "1024"})
    with Client(local, set_as_default=False) as client:
        client.wait_for_workers(2, timeout=120)
        seen = client.run(lambda: (os.getpid(), os.environ.get(CUDA_VARIABLE), os.environ.get("TF_CPP_MIN_LOG_LEVEL")))
        workers = client.scheduler_info(n_workers=-1)["workers"]
    local.close()
    assert sorted(cuda for _, cuda, _ in seen.values()) == ["0", "1"]
    assert len({pid for pid, _, _ in seen.values()} - {os.getpid()}) == 2
    assert all(level == "3" for _, _, level in seen.values())
    assert all(info["nthreads"] == 1 and info["memory_limit"] == 1024 * 2**20 for info in workers.values())
    assert all(address.startswith("tcp://127.0.0.1:") for address in workers)  # not reachable from the network
    assert local.scheduler_address.startswith("tcp://127.0.0.1:")


def test_each_local_worker_gets_its_share_of_the_memory_unless_the_host_names_one():
    from distributed.system import MEMORY_LIMIT

    assert sweep_cluster.worker_memory_limit(2, {}) == int(MEMORY_LIMIT // 2)
    assert sweep_cluster.worker_memory_limit(2, {sweep_cluster.MEMORY_VARIABLE: "3000"}) == 3000 * 2**20


@pytest.mark.parametrize("value", ["1000", "lots", "-5", "1.5"])
def test_a_bad_worker_memory_is_refused_with_the_variable_its_value_and_what_is_allowed(value):
    from core.outside_text import plain

    with pytest.raises(ValueError) as refused:
        sweep_cluster.worker_memory_limit(2, {sweep_cluster.MEMORY_VARIABLE: value})
    assert plain(str(refused.value)) == (f"{sweep_cluster.MEMORY_VARIABLE}='{value}' is not allowed: a whole number "
                                         "of megabytes per worker process, at least 1024 (TensorFlow alone takes about "
                                         "500, a deep run's trainer more)")


def test_a_count_of_workers_asked_for_takes_that_many_gpus_at_most():
    local = sweep_cluster.local_cluster(1, gpus=["0", "1"], environ={sweep_cluster.MEMORY_VARIABLE: "1024"})
    with Client(local, set_as_default=False) as client:
        client.wait_for_workers(1, timeout=120)
        seen = client.run(lambda: os.environ.get(CUDA_VARIABLE))
    local.close()
    assert list(seen.values()) == ["0"]
