"""bench/processes.py's thread dump names what a process and its children are doing (a frozen test says why)."""
import subprocess
import sys
import textwrap
import time

from bench.processes import thread_dump

SLEEPER = textwrap.dedent("""
    import subprocess, sys, time
    child = subprocess.Popen([sys.executable, "-c", "import time\\ndef child_sleeps_here():\\n    time.sleep(60)\\nchild_sleeps_here()"])
    def parent_sleeps_here():
        time.sleep(60)
    print("ready", flush=True)
    parent_sleeps_here()
""")


def test_the_thread_dump_names_the_function_each_process_of_a_tree_is_in():
    parent = subprocess.Popen([sys.executable, "-c", SLEEPER], stdout=subprocess.PIPE, text=True)
    try:
        assert parent.stdout.readline().strip() == "ready"
        time.sleep(1)  # the child is past its imports
        dumped = thread_dump(parent.pid)
        assert "parent_sleeps_here" in dumped, dumped
        assert "child_sleeps_here" in dumped, dumped
        assert dumped.count("## pid ") == 2
    finally:
        for process in __import__("psutil").Process(parent.pid).children(recursive=True):
            process.kill()
        parent.kill()
