"""CPU time of processes, for the benchmarks that split it between a server, its workers and its clients."""
import psutil


def cpu_seconds(processes) -> float:
    """User and system CPU seconds of these psutil.Process objects; one that has ended or that may not be read
    counts 0."""
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
            total += times.user + times.system
        except psutil.Error:
            pass
    return total


def with_children(process) -> list:
    """The process and all its descendants (a server's workers, a browser's many processes)."""
    try:
        return [process, *process.children(recursive=True)]
    except psutil.Error:
        return [process]
