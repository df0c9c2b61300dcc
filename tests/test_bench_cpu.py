"""The load test's CPU accounting (bench/cpu.py, bench/load.py): a server's CPU is counted with
its workers', and the figures per request follow from it."""

from __future__ import annotations

import subprocess
import sys
import time

import psutil

from bench import cpu
from bench.load import cpu_use

BURN = "import time\nt = time.process_time()\nwhile time.process_time() - t < 0.4: pass\n"


def test_a_servers_workers_cpu_is_counted_and_split_per_request():
    """A 'server' whose worker (its child) burns 0.4 s of CPU and stays: the snapshot counts the
    worker's CPU under the server (a worker new since the first snapshot counts from zero), the
    machine was busy at least that long, and the figures per request follow."""
    worker = BURN + "time.sleep(10)\n"
    server = subprocess.Popen([sys.executable, "-c",
                               f"import subprocess, sys\nsubprocess.run([sys.executable, '-c', {worker!r}])"])
    try:
        before = cpu.snapshot(server.pid)
        deadline = time.monotonic() + 30  # both interpreters started and the burn done, however slow
        while True:
            time.sleep(0.2)
            spent = cpu.spent(before, cpu.snapshot(server.pid))
            if spent["server_s"] >= 0.4 or time.monotonic() > deadline:
                break
    finally:
        for p in psutil.Process(server.pid).children(recursive=True):
            p.kill()
        server.kill()
    assert 0.4 <= spent["server_s"] <= 1.2, spent  # the burn, plus two interpreters' start
    assert spent["machine_busy_s"] >= 0.4, spent
    use = cpu_use(dict(spent, postgres_s=0.0), generator_s=0.1, wall_s=2.0, requests=4)
    assert use["portal_cpu_ms_per_request"] == round(spent["server_s"] / 4 * 1000, 1)
    assert use["cpu_bound_rps"] == round(use["cores"] / (spent["server_s"] / 4), 1)
    assert use["achieved_rps"] == 2.0 and use["load_generator_s"] == 0.1
