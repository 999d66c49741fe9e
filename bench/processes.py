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


def thread_dump(pid: int, timeout: float = 60) -> str:
    """`py-spy dump` of the process and of each descendant (a server's Dask workers): what every thread is
    doing, for a run that froze. A process that cannot be read (a zombie worker not reaped yet) says so."""
    import os
    import subprocess
    import sys

    parts = []
    for process in with_children(psutil.Process(pid)):
        try:
            command = " ".join(process.cmdline())[:200]
        except psutil.Error as error:
            parts.append(f"## pid {process.pid}: {type(error).__name__}\n")
            continue
        try:
            dumped = subprocess.run(["py-spy", "dump", "--pid", str(process.pid)], capture_output=True, text=True,
                                    timeout=timeout, env={**os.environ, "PATH": f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}"})
            found = dumped.stdout + dumped.stderr
        except subprocess.TimeoutExpired:
            found = f"py-spy took over {timeout:.0f} s\n"
        except FileNotFoundError:
            found = "py-spy is not installed (requirements-test.txt)\n"
        parts.append(f"## pid {process.pid}: {command}\n{found}")
    return "\n".join(parts)


def tensorflow_mapped(pid: int) -> list:
    """The TensorFlow libraries a process has loaded (importing tensorflow maps them), from /proc: an account
    the process cannot get wrong about itself."""
    with open(f"/proc/{pid}/maps") as maps:
        return sorted({line.split()[-1] for line in maps if len(line.split()) > 5 and "tensorflow" in line.split()[-1]})
