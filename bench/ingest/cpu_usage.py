"""CPU seconds of this worker, PostgreSQL, the Dovecot and the whole machine, read from /proc."""

from __future__ import annotations

import os
import resource
from pathlib import Path


def cpu_snapshot(server) -> dict[str, float]:
    """CPU seconds used so far by this worker, by PostgreSQL (all its processes) and by the
    Dovecot (its master and every process under it, finished children included)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    processes = _processes()
    tick = os.sysconf("SC_CLK_TCK")
    postgres = sum(p["cpu"] for p in processes.values() if p["name"].startswith("postgres"))
    dovecot = sum(processes[pid]["cpu"] for pid in _dovecot_pids(server, processes))
    # The whole machine's busy time (every core), to see what else ran meanwhile.
    busy = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return {
        "worker": usage.ru_utime + usage.ru_stime,
        "postgres": postgres / tick,
        "dovecot": dovecot / tick,
        "machine": (sum(busy) - busy[3] - busy[4]) / tick,  # all but idle and iowait
    }


def _dovecot_pids(server, processes: dict[int, dict]) -> set[int]:
    """The Dovecot master and every process under it."""
    master = server.master_pid()
    found = {master} if master in processes else set()
    grew = bool(found)
    while grew:
        grew = False
        for pid, process in processes.items():
            if process["ppid"] in found and pid not in found:
                found.add(pid)
                grew = True
    return found


def _processes() -> dict[int, dict]:
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        # utime, stime, cutime, cstime are fields 14-17 of stat; `fields` starts at field 3.
        cpu = sum(int(value) for value in fields[11:15])
        found[int(entry.name)] = {"name": name, "ppid": int(fields[1]), "cpu": cpu}
    return found
