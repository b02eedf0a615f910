"""Worker processes: claim a job, run it in a child process with limits, record the outcome.

A worker never runs job code itself: each job runs in a forked child with an address-space
limit, so a job that blows up, leaks or hangs is killed without taking the worker (or the web
process) with it. Workers exit when their parent (the server) disappears; the next server start
re-queues whatever they were running.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import resource
import signal
import time
import traceback

from schedlab.service.store import Store

HEARTBEAT_S = 1.0


def _die_with_parent() -> bool:
    """Linux: the kernel kills this process when its worker dies (kill -9 included), so no orphan runs on.

    Returns False where prctl is missing (not Linux): there an orphan finishes its job and its
    result is refused, because its attempt is stale.
    """
    import ctypes

    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return False
    return prctl(1, signal.SIGKILL) == 0  # PR_SET_PDEATHSIG


def _child(conn, kind: str, spec: dict, memory_mb: int) -> None:
    _die_with_parent()
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from schedlab.service.jobs import execute

    def report(progress, incumbent):
        conn.send(("progress", progress, incumbent))

    try:
        conn.send(("result", execute(kind, spec, report)))
    except MemoryError:
        conn.send(("error", f"job exceeded its memory limit of {memory_mb} MB"))
    except Exception as exc:  # the job's failure is recorded, never raised into the worker
        conn.send(("error", f"{type(exc).__name__}: {exc}"[:2000]))
    finally:
        conn.close()


def run_one(store: Store, job, parent_pid: int, job_timeout_s: float, memory_mb: int) -> None:
    ctx = mp.get_context("fork")
    parent_conn, child_conn = ctx.Pipe(duplex=False)
    if job.kind == "sweep" and job.spec.get("executor") == "ray":
        memory_mb = 0  # runs execute in Ray's processes (Ray's memory monitor); an address-space cap breaks Ray's start-up
    proc = ctx.Process(target=_child, args=(child_conn, job.kind, job.spec, memory_mb), daemon=False)
    proc.start()
    child_conn.close()
    started = time.monotonic()
    last_beat = 0.0
    progress = incumbent = None
    outcome: tuple | None = None
    while outcome is None:
        if parent_conn.poll(0.2):
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
            status = store.heartbeat(job.id, job.attempt, progress, incumbent)
            if status != "running":  # cancelled (or re-queued by a new server): stop working on it
                proc.kill()
                proc.join()
                return
            if os.getppid() != parent_pid:
                proc.kill()
                proc.join()
                os._exit(0)
        if now - started > job_timeout_s:
            proc.kill()
            proc.join()
            outcome = ("error", f"job exceeded its time limit of {job_timeout_s:g} s")
    proc.join(5)
    if outcome[0] == "result":
        store.finish(job.id, job.attempt, outcome[1])
    else:
        store.finish(job.id, job.attempt, None, outcome[1])


def _warm_up() -> None:
    """Import the heavy modules once here, so every forked job process starts with them loaded."""
    import schedlab.instances  # noqa: F401
    import schedlab.service.jobs  # noqa: F401
    import schedlab.simulations  # noqa: F401
    from schedlab.service.jobs import run_solve
    from schedlab.solvers.base import solver_names

    solver_names()
    try:  # load the Numba kernels and the bundled data index once
        run_solve({"instance": "ft06", "solver": "rules:spt", "time_limit": 1, "seed": 0}, lambda progress, incumbent: None)
    except Exception:
        traceback.print_exc()


def worker_main(
    url: str, worker_id: int, parent_pid: int, job_timeout_s: float = 3600.0, memory_mb: int = 4096, poll_s: float = 0.2
) -> None:
    store = Store(url)
    _warm_up()
    while os.getppid() == parent_pid:
        job = store.claim(worker_id)
        if job is None:
            time.sleep(poll_s)
            continue
        try:
            run_one(store, job, parent_pid, job_timeout_s, memory_mb)
        except Exception:  # a store hiccup must not kill the worker; the job is re-queued when stale
            traceback.print_exc()
            time.sleep(1.0)
