"""Where a load run's CPU went (bench/load.py): the portal's gunicorn workers, PostgreSQL's
backends, the load generator, and the machine as a whole — to tell "the portal is slow" from
"the machine is full".

`snapshot(server_pid)` reads the CPU seconds used so far; `spent(before, after)` gives what was
used between two snapshots. A process that ended between the two is lost from its group (a
recycled gunicorn worker, a closed PostgreSQL connection); the machine's figure still holds it.
"""

from __future__ import annotations

import psutil


def _seconds(proc: psutil.Process) -> float:
    t = proc.cpu_times()
    return t.user + t.system


def _group(procs) -> dict[int, float]:
    out = {}
    for p in procs:
        try:
            out[p.pid] = _seconds(p)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return out


def snapshot(server_pid: int) -> dict:
    """CPU seconds so far: per gunicorn process (master and workers), per PostgreSQL process,
    and the machine's busy and idle seconds (all cores; `steal`: taken by the host)."""
    try:
        master = psutil.Process(server_pid)
        server = _group([master, *master.children(recursive=True)])
    except psutil.NoSuchProcess:
        server = {}
    postgres = _group(p for p in psutil.process_iter(["name"]) if (p.info["name"] or "").startswith("postgres"))
    m = psutil.cpu_times()
    idle = m.idle + getattr(m, "iowait", 0.0)
    steal = getattr(m, "steal", 0.0)
    busy = sum(m) - idle - steal
    return {"server": server, "postgres": postgres, "busy": busy, "idle": idle, "steal": steal}


def spent(before: dict, after: dict) -> dict:
    """Seconds used between two snapshots: the portal's workers, PostgreSQL, the machine (busy,
    idle, stolen). A process new since `before` counts from zero."""
    def group(name):
        return sum(t - before[name].get(pid, 0.0) for pid, t in after[name].items())

    return {"server_s": round(group("server"), 1), "postgres_s": round(group("postgres"), 1),
            "machine_busy_s": round(after["busy"] - before["busy"], 1),
            "machine_idle_s": round(after["idle"] - before["idle"], 1),
            "machine_steal_s": round(after["steal"] - before["steal"], 1)}
