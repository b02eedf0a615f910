"""The job store: one table of jobs in SQLite (default) or any SQLAlchemy database URL.

Every state change is a single conditional UPDATE, so several worker processes can share the
store safely: a worker claims a job by moving it from `queued` to `running` and bumping its
`attempt`; heartbeats and results only land while the attempt still matches, so a job that was
re-queued after a crash cannot be finished twice. Nothing accepted is ever deleted.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, Text, create_engine, event, func, select, update

metadata = MetaData()
jobs = Table(
    "jobs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),
    Column("spec", Text, nullable=False),
    Column("status", String(16), nullable=False, index=True),
    Column("created", Float, nullable=False),
    Column("started", Float),
    Column("finished", Float),
    Column("heartbeat", Float),
    Column("worker", Integer),
    Column("attempt", Integer, nullable=False, default=0),
    Column("progress", Float),
    Column("incumbent", Float),
    Column("result", Text),
    Column("error", Text),
)

ACTIVE = ("queued", "running")


class QueueFull(Exception):
    """More unfinished jobs than the store accepts."""


@dataclass
class Job:
    id: int
    kind: str
    spec: dict
    status: str
    created: float
    started: float | None
    finished: float | None
    attempt: int
    progress: float | None
    incumbent: float | None
    error: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "spec": self.spec,
            "status": self.status,
            "created": self.created,
            "started": self.started,
            "finished": self.finished,
            "attempt": self.attempt,
            "progress": self.progress,
            "incumbent": self.incumbent,
            "error": self.error,
        }


def default_url(path: str | Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


class Store:
    def __init__(self, url: str, max_active: int = 1000) -> None:
        self.url = url
        self.max_active = max_active
        self.engine = create_engine(url, future=True)
        if url.startswith("sqlite"):

            @event.listens_for(self.engine, "connect")
            def _pragmas(conn, _record):  # WAL lets readers and one writer share the file across processes
                cur = conn.cursor()
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA busy_timeout=10000")
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.close()

        metadata.create_all(self.engine)

    @staticmethod
    def _job(row) -> Job:
        return Job(
            row.id,
            row.kind,
            json.loads(row.spec),
            row.status,
            row.created,
            row.started,
            row.finished,
            row.attempt,
            row.progress,
            row.incumbent,
            row.error,
        )

    def submit(self, kind: str, spec: dict) -> int:
        with self.engine.begin() as conn:
            active = conn.execute(select(func.count()).select_from(jobs).where(jobs.c.status.in_(ACTIVE))).scalar_one()
            if active >= self.max_active:
                raise QueueFull(f"{active} unfinished jobs; the limit is {self.max_active}")
            res = conn.execute(
                jobs.insert().values(kind=kind, spec=json.dumps(spec), status="queued", created=time.time(), attempt=0)
            )
            return int(res.inserted_primary_key[0])

    def record(self, kind: str, spec: dict, result: dict, started: float) -> int:
        """Store a job that already ran elsewhere (e.g. `schedlab bench --db`) as done, in one transaction."""
        now = time.time()
        with self.engine.begin() as conn:
            res = conn.execute(
                jobs.insert().values(
                    kind=kind,
                    spec=json.dumps(spec),
                    status="done",
                    created=started,
                    started=started,
                    finished=now,
                    attempt=1,
                    progress=1.0,
                    result=json.dumps(result),
                )
            )
            return int(res.inserted_primary_key[0])

    def claim(self, worker: int) -> Job | None:
        """Move the oldest queued job to running for `worker`; None when nothing is queued."""
        for _ in range(5):
            with self.engine.begin() as conn:
                row = conn.execute(
                    select(jobs.c.id, jobs.c.attempt).where(jobs.c.status == "queued").order_by(jobs.c.id).limit(1)
                ).first()
                if row is None:
                    return None
                now = time.time()
                done = conn.execute(
                    update(jobs)
                    .where(jobs.c.id == row.id, jobs.c.status == "queued")
                    .values(status="running", worker=worker, started=now, heartbeat=now, attempt=row.attempt + 1)
                )
                if done.rowcount == 1:
                    return self._job(conn.execute(select(jobs).where(jobs.c.id == row.id)).first())
        return None

    def heartbeat(self, job_id: int, attempt: int, progress: float | None = None, incumbent: float | None = None) -> str:
        """Record liveness (and progress); returns the job's status so a worker sees a cancel."""
        values: dict[str, Any] = {"heartbeat": time.time()}
        if progress is not None:
            values["progress"] = progress
        if incumbent is not None:
            values["incumbent"] = incumbent
        with self.engine.begin() as conn:
            conn.execute(
                update(jobs).where(jobs.c.id == job_id, jobs.c.attempt == attempt, jobs.c.status == "running").values(**values)
            )
            return conn.execute(select(jobs.c.status).where(jobs.c.id == job_id)).scalar_one()

    def finish(self, job_id: int, attempt: int, result: dict | None, error: str | None = None) -> bool:
        status = "done" if error is None else "failed"
        with self.engine.begin() as conn:
            res = conn.execute(
                update(jobs)
                .where(jobs.c.id == job_id, jobs.c.attempt == attempt, jobs.c.status == "running")
                .values(
                    status=status,
                    finished=time.time(),
                    progress=1.0 if error is None else None,
                    result=json.dumps(result) if result is not None else None,
                    error=error,
                    **({"incumbent": result["objective"]} if result and isinstance(result.get("objective"), int | float) else {}),
                )
            )
            return res.rowcount == 1

    def cancel(self, job_id: int) -> bool:
        with self.engine.begin() as conn:
            res = conn.execute(
                update(jobs)
                .where(jobs.c.id == job_id, jobs.c.status.in_(ACTIVE))
                .values(status="cancelled", finished=time.time())
            )
            return res.rowcount == 1

    def requeue_stale(self, older_than_s: float) -> int:
        """Put running jobs whose heartbeat is older than `older_than_s` back in the queue."""
        limit = time.time() - older_than_s
        with self.engine.begin() as conn:
            res = conn.execute(
                update(jobs).where(jobs.c.status == "running", jobs.c.heartbeat < limit).values(status="queued", worker=None)
            )
            return res.rowcount

    def get(self, job_id: int) -> Job | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(jobs).where(jobs.c.id == job_id)).first()
            return self._job(row) if row else None

    def result(self, job_id: int) -> dict | None:
        with self.engine.connect() as conn:
            text = conn.execute(select(jobs.c.result).where(jobs.c.id == job_id)).scalar_one_or_none()
            return json.loads(text) if text else None

    def list(self, status: str | None = None, limit: int = 100, offset: int = 0) -> list[Job]:
        q = select(jobs).order_by(jobs.c.id.desc()).limit(limit).offset(offset)
        if status:
            q = q.where(jobs.c.status == status)
        with self.engine.connect() as conn:
            return [self._job(r) for r in conn.execute(q)]

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {r[0]: r[1] for r in conn.execute(select(jobs.c.status, func.count()).group_by(jobs.c.status))}
