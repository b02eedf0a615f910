"""`schedlab serve`: the job service with its dashboard."""

from __future__ import annotations

import argparse
import os
import threading
import time

from rich.console import Console

from schedlab.core.errors import SchedlabError

out = Console(soft_wrap=True)


def cmd_serve(args: argparse.Namespace) -> int:
    import socket

    import uvicorn

    from schedlab.service.app import create_app

    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    with socket.socket(family) as probe:  # a busy port is one readable line, not uvicorn's traceback
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # a port in TIME_WAIT after a restart is free
        try:
            probe.bind((args.host, args.port))
        except OSError as exc:
            raise SchedlabError(f"cannot listen on {args.host}:{args.port} ({exc.strerror}); try --port") from None
    from schedlab.service.app import Limits, is_loopback

    token = args.token or os.environ.get("SCHEDLAB_TOKEN") or None
    if not is_loopback(args.host) and not token:
        raise SchedlabError(f"serving on {args.host} exposes the service beyond this machine: give --token TOKEN (or set "
                            "SCHEDLAB_TOKEN); clients then send 'Authorization: Bearer TOKEN'")
    for name in ("workers", "max_active", "max_sim_work", "max_sweep_runs"):
        if getattr(args, name) < 1:
            raise SchedlabError(f"--{name.replace('_', '-')}: must be an integer >= 1")
    for name in ("job_timeout", "max_sweep_seconds", "max_upload_mb"):
        if not getattr(args, name) > 0:
            raise SchedlabError(f"--{name.replace('_', '-')}: must be a number > 0")
    limits = Limits(args.max_active, args.max_sim_work, args.max_sweep_runs, args.max_sweep_seconds, args.max_upload_mb)
    app = create_app(args.db, args.workers, args.max_active, args.job_timeout, args.job_memory_mb, limits=limits,
                     token=token, host=args.host, retain_days=args.retain_days)
    url = f"http://{args.host}:{args.port}"
    if args.examples and not app.state.store.counts():
        from schedlab.service.examples import submit_examples

        ids = submit_examples(app.state.store)
        out.print(f"running {len(ids)} bundled example jobs ({', '.join(map(str, ids))}) in the workers ...")
        threading.Thread(target=_announce_examples, args=(app.state.store, ids, url), daemon=True).start()
    out.print(f"schedlab service on {url}  (dashboard: {url}/ui/, API docs: {url}/docs; Ctrl-C stops it)")
    if token:
        out.print("clients must send 'Authorization: Bearer <token>'; the dashboard asks for the token once")
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    out.print("schedlab service stopped")
    return 0


def _announce_examples(store, ids: list[int], url: str) -> None:
    """Print each example job's outcome once all have finished, then the URL again."""
    while True:
        jobs = [store.get(i) for i in ids]
        if all(j.status in ("done", "failed", "cancelled") for j in jobs):
            break
        time.sleep(0.5)
    for job in jobs:
        spec = job.spec
        what = f"{spec['instance']} / {spec['solver']}" if job.kind == "solve" else f"{spec.get('domain')} {spec.get('params')}"
        result = store.result(job.id) if job.status == "done" else None
        shown = f"objective {result['objective']:g}" if result and result.get("objective") is not None else job.status
        out.print(f"  job {job.id}: {job.kind} {what}: {shown}")
    out.print(f"example jobs finished; open {url}/ui/")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the job service (HTTP API, worker processes, dashboard)")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--db", help="SQLite file or SQLAlchemy URL (default: schedlab-data/jobs.db)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--max-active", type=int, default=1000, help="refuse submissions (429) beyond this many unfinished jobs")
    p.add_argument("--job-timeout", type=float, default=3600.0)
    p.add_argument("--job-memory-mb", type=int, default=4096)
    p.add_argument("--examples", action="store_true", help="queue a few bundled example jobs when the store is empty")
    p.add_argument("--token", help="require 'Authorization: Bearer TOKEN' on every endpoint but /health (needed "
                   "off loopback; or set SCHEDLAB_TOKEN)")
    p.add_argument("--max-sim-work", type=int, default=2_000_000,
                   help="largest simulation accepted, in its domain's work units (requests, jobs, tasks)")
    p.add_argument("--max-sweep-runs", type=int, default=2000, help="largest sweep accepted (instances x solvers x seeds)")
    p.add_argument("--max-sweep-seconds", type=float, default=86400.0, help="largest sweep time budget (runs x time limit)")
    p.add_argument("--max-upload-mb", type=float, default=20.0, help="largest upload or request body")
    p.add_argument("--retain-days", type=float, help="delete finished jobs (and unused uploads) older than this")
    p.set_defaults(func=cmd_serve)
