"""Worker processes: claim a job, run it in a child process with limits, record the outcome.

A worker never runs job code itself: each job runs in a forked child, in a process group of its
own, with an address-space limit. Cancel, time-out and a vanished server kill the whole group
(the portfolio's search processes included); if the worker itself is killed, the kernel kills
the child (parent-death signal) and the child's helpers die with it the same way. The next
server start re-queues whatever was running.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import resource
import signal
import time
import traceback

from schedlab.core.processes import die_with_parent
from schedlab.service.store import Store

HEARTBEAT_S = 1.0
POLL_S = 0.2


def _child(conn, kind: str, spec: dict, memory_mb: int, url: str) -> None:
    os.setpgid(0, 0)  # a group of its own: killing the group takes every helper process with it
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from schedlab.service.jobs import execute

    def report(progress, incumbent):
        conn.send(("progress", progress, incumbent))

    try:
        conn.send(("result", execute(kind, spec, report, LazyStore(url))))
    except MemoryError:
        conn.send(("error", f"job exceeded its memory limit of {memory_mb} MB"))
    except Exception as exc:  # the job's failure is recorded, never raised into the worker
        conn.send(("error", f"{type(exc).__name__}: {exc}"[:2000]))
    finally:
        conn.close()


class LazyStore:
    """The job's view of the store, opened only if the job reads an upload (most jobs never touch it)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._store: Store | None = None

    def upload(self, upload_id: int):
        if self._store is None:
            self._store = Store(self.url, check=False)
        return self._store.upload(upload_id)


def kill_group(proc) -> None:
    """SIGKILL the job's process group (the job and every process it started), then reap the job."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        proc.kill()
    proc.join(5)


def run_one(store: Store, job, parent_pid: int, job_timeout_s: float, memory_mb: int) -> None:
    ctx = mp.get_context("fork")
    parent_conn, child_conn = ctx.Pipe(duplex=False)
    if job.kind == "sweep" and job.spec.get("executor") == "ray":
        memory_mb = 0  # runs execute in Ray's processes (Ray's memory monitor); an address-space cap breaks Ray's start-up
    proc = ctx.Process(target=_child, args=(child_conn, job.kind, job.spec, memory_mb, store.url), daemon=False)
    proc.start()
    with contextlib.suppress(OSError):
        os.setpgid(proc.pid, proc.pid)  # also from this side, so a kill right after the start finds the group
    child_conn.close()
    started = time.monotonic()
    last_beat = 0.0
    progress = incumbent = None
    outcome: tuple | None = None
    try:
        while outcome is None:
            if parent_conn.poll(POLL_S):
                try:
                    msg = parent_conn.recv()
                except EOFError:
                    proc.join(1)
                    outcome = ("error", f"job process died (exit code {proc.exitcode})")
                    break
                if msg[0] == "progress":
                    progress, incumbent = msg[1], msg[2] if msg[2] is not None else incumbent
                else:
                    outcome = msg
                    break
            elif not proc.is_alive() and not parent_conn.poll(0):
                outcome = ("error", f"job process died (exit code {proc.exitcode})")
                break
            now = time.monotonic()
            if now - last_beat >= HEARTBEAT_S:
                last_beat = now
                if os.getppid() != parent_pid:  # the server is gone: stop, the next server re-queues the job
                    kill_group(proc)
                    os._exit(0)
                status = store.heartbeat(job.id, job.attempt, progress, incumbent)
                if status != "running":  # cancelled, deleted or re-queued: stop working on it
                    kill_group(proc)
                    return
            if now - started > job_timeout_s:
                kill_group(proc)
                outcome = ("error", f"job exceeded its time limit of {job_timeout_s:g} s")
    finally:
        kill_group(proc)  # helpers a finished job left behind go too
    if outcome[0] == "result":
        store.finish(job.id, job.attempt, outcome[1])
    else:
        store.finish(job.id, job.attempt, None, outcome[1])


def _warm_up() -> None:
    """Load the heavy modules and compile the search kernels once here, so every forked job starts with them."""
    import schedlab.instances  # noqa: F401
    import schedlab.service.jobs  # noqa: F401
    from schedlab.sim.domain import domain_names
    from schedlab.solvers.base import solver_names
    from schedlab.solvers.warmup import warm_up

    solver_names()
    domain_names()
    try:
        warm_up()
        from schedlab.service.jobs import run_solve  # loads the bundled-instance index and the solve path once

        run_solve({"instance": "ft06", "solver": "rules:spt", "time_limit": 1, "seed": 0}, lambda progress, incumbent: None)
    except Exception:
        traceback.print_exc()


def _stop(signum, frame) -> None:
    raise SystemExit(0)


def worker_main(
    url: str, worker_id: int, parent_pid: int, job_timeout_s: float = 3600.0, memory_mb: int = 4096, poll_s: float = 0.2
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops us (with SIGTERM)
    signal.signal(signal.SIGTERM, _stop)
    die_with_parent()
    store = Store(url, check=False)
    _warm_up()
    while os.getppid() == parent_pid:
        job = store.claim(worker_id)
        if job is None:
            time.sleep(poll_s)
            continue
        try:
            run_one(store, job, parent_pid, job_timeout_s, memory_mb)
        except SystemExit:
            raise
        except Exception:  # a store hiccup must not kill the worker; the job is re-queued when stale
            traceback.print_exc()
            time.sleep(1.0)


if __name__ == "__main__":  # started by the supervisor: URL WORKER_ID PARENT_PID JOB_TIMEOUT_S MEMORY_MB
    import sys

    worker_main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]))
