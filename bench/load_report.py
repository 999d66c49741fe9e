"""What bench/load.py prints: a class's timings as Markdown for README.md and docs/benchmarks.md.

Kept apart from the driver (bench/load.py starts the server and the students, and measures) so the tables can
be read, and changed, without the browser and server machinery. Every figure is computed from the sessions'
results as the driver collected them; a stage's runs are the sessions that got that far, so a class where some
sessions failed still shows where the time went for the others.
"""
import statistics

import psutil


def percentile(values, q):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def stage_table(results, stages) -> str:
    """p50 / p95 of the finished run at each stage of the lesson: where the time goes."""
    lines = ["| stage | runs | finished run p50 / p95 |", "|---|---|---|"]
    for index, stage in enumerate(stages):
        ends = [result["runs"][index][1] for result in results if len(result["runs"]) > index]
        lines.append(f"| {stage} | {len(ends)} | {percentile(ends, 50):.1f} s / {percentile(ends, 95):.1f} s |")
    return "\n".join(lines)


def report(sessions, results, wall, peak_mb, server_log, cpu=None, *, stages):
    """Print the class's Markdown: the summary row, where the time goes by stage (`stages`, the lesson's
    steps in the order every session walks them), the CPU split and the first errors."""
    runs = [run for result in results for run in result["runs"]]
    firsts = [first for first, _ in runs if first is not None]
    ends = [end for _, end in runs]
    completed = sum(result["completed"] for result in results)
    errors = [error for result in results for error in result["errors"]]
    tracebacks = server_log.count("Traceback")
    print("| sessions | completed | runs | first frame p50 / p95 | finished run p50 / p95 | errors | server peak RSS |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {sessions} | {completed}/{sessions} ({100 * completed / sessions:.0f}%) | {len(runs)} | "
          f"{percentile(firsts, 50):.1f} s / {percentile(firsts, 95):.1f} s | "
          f"{percentile(ends, 50):.1f} s / {percentile(ends, 95):.1f} s | {len(errors) + tracebacks} | {peak_mb:.0f} MB |")
    print(f"\nwall time {wall:.0f} s; mean finished run {statistics.fmean(ends) if ends else float('nan'):.1f} s")
    print(f"\n{stage_table(results, stages)}")
    print(f"\nthe first session's runs: {'; '.join(results[0]['settings'])}")
    if cpu:
        print(f"\nCPU time over the test: server {cpu['server']:.0f} s, the clients (and the rest of the machine) "
              f"{cpu['clients']:.0f} s "
              f"(the machine had {psutil.cpu_count()} cores x {wall:.0f} s = {psutil.cpu_count() * wall:.0f} s)")
    for error in errors[:10]:
        print(f"- {error}")
    if tracebacks:
        print(f"- the server logged {tracebacks} tracebacks; the first:")
        first = server_log[server_log.index("Traceback"):].splitlines()
        ends = next((i for i, line in enumerate(first[1:], 1) if line and not line.startswith((" ", "Traceback"))), len(first) - 1)
        print("\n".join(f"  {line}" for line in first[: ends + 1][-12:]))
