"""The job store: jobs and uploaded files in SQLite (default) or any SQLAlchemy database URL.

Every state change is a single conditional UPDATE, so several worker processes can share the
store safely: a worker claims a job by moving it from `queued` to `running` and bumping its
`attempt`; heartbeats and results only land while the attempt still matches, so a job that was
re-queued after a crash cannot be finished twice. Admission is one INSERT ... SELECT that counts
the unfinished jobs in the same statement (under an advisory lock on PostgreSQL), so concurrent
submissions never pass `max_active`. Uploaded texts live in their own table, so job listings
stay small; `updated` lets a client fetch only the jobs that changed.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    inspect,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from schedlab.core.errors import SchedlabError
from schedlab.sim.result import json_safe

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
    Column("updated", Float, index=True),
)
uploads = Table(
    "uploads",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False),
    Column("size", Integer, nullable=False),
    Column("created", Float, nullable=False),
    Column("text", Text, nullable=False),
)

ACTIVE = ("queued", "running")
FINISHED = ("done", "failed", "cancelled")
ADMISSION_LOCK = 727_272  # PostgreSQL advisory lock key serialising admissions


class QueueFull(Exception):
    """More unfinished jobs than the store accepts."""


class StoreError(SchedlabError):
    """The database cannot be used as a job store (damaged, foreign, unreachable)."""


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
    updated: float | None = None

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
            "updated": self.updated,
        }


def default_url(path: str | Path) -> str:
    return f"sqlite:///{Path(path).resolve()}"


def _where(url: str) -> str:
    return url.removeprefix("sqlite:///") if url.startswith("sqlite:///") else url.split("@")[-1]


class Store:
    def __init__(self, url: str, max_active: int = 1000, check: bool = True) -> None:
        self.url = url
        self.max_active = max_active
        try:
            self.engine = create_engine(url, future=True)
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise StoreError(_driver_hint(url, exc)) from None
        self.sqlite = url.startswith("sqlite")
        if self.sqlite:

            @event.listens_for(self.engine, "connect")
            def _pragmas(conn, _record):  # WAL lets readers and one writer share the file across processes
                cur = conn.cursor()
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA busy_timeout=10000")
                cur.execute("PRAGMA synchronous=NORMAL")
                cur.close()

        try:
            if check:
                self._check_database()
            metadata.create_all(self.engine)
            self._migrate()
        except StoreError:
            raise
        except (DBAPIError, SQLAlchemyError) as exc:
            raise StoreError(f"{_where(url)}: cannot be used as a schedlab job store ({_first_line(exc)}); "
                             "move it away or start with --db NEWFILE") from None

    def _check_database(self) -> None:
        """A damaged or foreign file is refused here, with one line, before the service says it is up."""
        with self.engine.connect() as conn:
            if self.sqlite:
                verdict = conn.execute(text("PRAGMA quick_check")).scalar()
                if verdict != "ok":
                    raise StoreError(f"{_where(self.url)}: the database file is damaged ({str(verdict)[:80]}); "
                                     "move it away or start with --db NEWFILE")
            tables = set(inspect(conn).get_table_names())
        if "jobs" in tables:
            with self.engine.connect() as conn:
                columns = {c["name"] for c in inspect(conn).get_columns("jobs")}
            needed = {c.name for c in jobs.columns} - {"updated"}
            if not needed <= columns:
                raise StoreError(f"{_where(self.url)}: holds a 'jobs' table that is not schedlab's (missing "
                                 f"{', '.join(sorted(needed - columns))}); use another --db")

    def _migrate(self) -> None:
        """Stores made by older versions lack `updated`: add it."""
        with self.engine.connect() as conn:
            columns = {c["name"] for c in inspect(conn).get_columns("jobs")}
        if "updated" not in columns:
            with self.engine.begin() as conn:
                conn.execute(text("ALTER TABLE jobs ADD COLUMN updated FLOAT"))
                conn.execute(update(jobs).values(updated=func.coalesce(jobs.c.finished, jobs.c.created)))

    @staticmethod
    def _job(row) -> Job:
        return Job(row.id, row.kind, json.loads(row.spec), row.status, row.created, row.started, row.finished,
                   row.attempt, row.progress, row.incumbent, row.error, row.updated)

    # -- admission ---------------------------------------------------------------------------
    def submit(self, kind: str, spec: dict) -> int:
        """Insert a queued job unless `max_active` unfinished jobs exist (counted in the same statement)."""
        now = time.time()
        active = select(func.count()).select_from(jobs).where(jobs.c.status.in_(ACTIVE)).scalar_subquery()
        row = select(literal(kind), literal(json.dumps(spec)), literal("queued"), literal(now), literal(0),
                     literal(now)).where(active < self.max_active)
        with self.engine.begin() as conn:
            if self.engine.dialect.name == "postgresql":
                conn.execute(text(f"SELECT pg_advisory_xact_lock({ADMISSION_LOCK})"))
            inserted = conn.execute(jobs.insert().from_select(["kind", "spec", "status", "created", "attempt", "updated"], row)
                                    .returning(jobs.c.id)).scalar_one_or_none()
            if inserted is None:
                raise QueueFull(f"{self.max_active} unfinished jobs, the limit")
            return int(inserted)

    def record(self, kind: str, spec: dict, result: dict, started: float) -> int:
        """Store a job that already ran elsewhere (e.g. `schedlab bench --db`) as done, in one transaction."""
        now = time.time()
        with self.engine.begin() as conn:
            res = conn.execute(
                jobs.insert().values(kind=kind, spec=json.dumps(spec), status="done", created=started, started=started,
                                     finished=now, attempt=1, progress=1.0, result=json.dumps(json_safe(result)), updated=now)
            )
            return int(res.inserted_primary_key[0])

    # -- the worker side ---------------------------------------------------------------------
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
                    .values(status="running", worker=worker, started=now, heartbeat=now, attempt=row.attempt + 1, updated=now)
                )
                if done.rowcount == 1:
                    return self._job(conn.execute(select(jobs).where(jobs.c.id == row.id)).first())
        return None

    def heartbeat(self, job_id: int, attempt: int, progress: float | None = None, incumbent: float | None = None) -> str:
        """Record liveness (and progress); returns the job's status so a worker sees a cancel."""
        now = time.time()
        values: dict[str, Any] = {"heartbeat": now}
        if progress is not None:
            values["progress"] = progress
        if incumbent is not None:
            values["incumbent"] = incumbent
        if progress is not None or incumbent is not None:
            values["updated"] = now
        with self.engine.begin() as conn:
            conn.execute(
                update(jobs).where(jobs.c.id == job_id, jobs.c.attempt == attempt, jobs.c.status == "running").values(**values)
            )
            return conn.execute(select(jobs.c.status).where(jobs.c.id == job_id)).scalar_one_or_none() or "deleted"

    def finish(self, job_id: int, attempt: int, result: dict | None, error: str | None = None) -> bool:
        status = "done" if error is None else "failed"
        result = json_safe(result) if result is not None else None  # JSON has no NaN: a stored result must always be servable
        now = time.time()
        with self.engine.begin() as conn:
            res = conn.execute(
                update(jobs)
                .where(jobs.c.id == job_id, jobs.c.attempt == attempt, jobs.c.status == "running")
                .values(
                    status=status,
                    finished=now,
                    updated=now,
                    progress=1.0 if error is None else None,
                    result=json.dumps(result) if result is not None else None,
                    error=error,
                    **({"incumbent": result["objective"]} if result and isinstance(result.get("objective"), int | float) else {}),
                )
            )
            return res.rowcount == 1

    def cancel(self, job_id: int) -> bool:
        now = time.time()
        with self.engine.begin() as conn:
            res = conn.execute(
                update(jobs).where(jobs.c.id == job_id, jobs.c.status.in_(ACTIVE)).values(status="cancelled", finished=now,
                                                                                         updated=now)
            )
            return res.rowcount == 1

    def requeue_stale(self, older_than_s: float) -> int:
        """Put running jobs whose heartbeat is older than `older_than_s` back in the queue."""
        limit = time.time() - older_than_s
        with self.engine.begin() as conn:
            res = conn.execute(
                update(jobs).where(jobs.c.status == "running", jobs.c.heartbeat < limit).values(status="queued", worker=None,
                                                                                                updated=time.time())
            )
            return res.rowcount

    # -- reading -----------------------------------------------------------------------------
    def get(self, job_id: int) -> Job | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(jobs).where(jobs.c.id == job_id)).first()
            return self._job(row) if row else None

    def result(self, job_id: int) -> dict | None:
        with self.engine.connect() as conn:
            raw = conn.execute(select(jobs.c.result).where(jobs.c.id == job_id)).scalar_one_or_none()
            return json.loads(raw) if raw else None

    def list(self, status: str | None = None, limit: int = 100, offset: int = 0, changed_since: float | None = None
             ) -> list[Job]:
        q = select(*[c for c in jobs.columns if c.name != "result"]).order_by(jobs.c.id.desc()).limit(limit).offset(offset)
        if status:
            q = q.where(jobs.c.status == status)
        if changed_since is not None:
            q = q.where(jobs.c.updated > changed_since)
        with self.engine.connect() as conn:
            return [self._job(r) for r in conn.execute(q)]

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {r[0]: r[1] for r in conn.execute(select(jobs.c.status, func.count()).group_by(jobs.c.status))}

    # -- deletion ----------------------------------------------------------------------------
    def delete(self, job_id: int) -> bool:
        """Delete a finished job (and the upload only it used); unfinished jobs are not deleted."""
        with self.engine.begin() as conn:
            return conn.execute(delete(jobs).where(jobs.c.id == job_id, jobs.c.status.in_(FINISHED))).rowcount == 1

    def purge(self, older_than_s: float) -> int:
        """Delete finished jobs older than `older_than_s` and uploads no remaining job refers to and as old."""
        limit = time.time() - older_than_s
        with self.engine.begin() as conn:
            n = conn.execute(delete(jobs).where(jobs.c.status.in_(FINISHED), jobs.c.finished < limit)).rowcount
            referenced = {int(u) for (spec,) in conn.execute(select(jobs.c.spec)) for u in _upload_ids(json.loads(spec))}
            old = [u for (u,) in conn.execute(select(uploads.c.id).where(uploads.c.created < limit)) if u not in referenced]
            if old:
                conn.execute(delete(uploads).where(uploads.c.id.in_(old)))
            return n

    # -- uploads -----------------------------------------------------------------------------
    def add_upload(self, name: str, content: str) -> int:
        with self.engine.begin() as conn:
            res = conn.execute(uploads.insert().values(name=name, size=len(content.encode()), created=time.time(), text=content))
            return int(res.inserted_primary_key[0])

    def upload(self, upload_id: int) -> tuple[str, str] | None:
        """(name, text) of an upload, or None."""
        with self.engine.connect() as conn:
            row = conn.execute(select(uploads.c.name, uploads.c.text).where(uploads.c.id == upload_id)).first()
            return (row.name, row.text) if row else None

    def upload_info(self, upload_id: int) -> dict | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(uploads.c.id, uploads.c.name, uploads.c.size, uploads.c.created)
                               .where(uploads.c.id == upload_id)).first()
            return dict(row._mapping) if row else None

    def uploads(self, limit: int = 100, offset: int = 0) -> list[dict]:
        q = select(uploads.c.id, uploads.c.name, uploads.c.size, uploads.c.created).order_by(uploads.c.id.desc())
        with self.engine.connect() as conn:
            return [dict(r._mapping) for r in conn.execute(q.limit(limit).offset(offset))]

    def delete_upload(self, upload_id: int) -> bool:
        with self.engine.begin() as conn:
            return conn.execute(delete(uploads).where(uploads.c.id == upload_id)).rowcount == 1


def _upload_ids(spec: dict) -> list[int]:
    found = []
    if isinstance(spec.get("upload"), int):
        found.append(spec["upload"])
    for value in (spec.get("params") or {}).values():
        if isinstance(value, str) and value.startswith("upload:"):
            found.append(int(value.split(":", 1)[1]))
    return found


def _first_line(exc: Exception) -> str:
    return str(getattr(exc, "orig", exc)).splitlines()[0][:200] if str(exc) else type(exc).__name__


def _driver_hint(url: str, exc: Exception) -> str:
    if isinstance(exc, ImportError) or "No module named" in str(exc):
        return f"{_where(url)}: the database driver is not installed ({exc}); for PostgreSQL use postgresql+pg8000://..."
    return f"{_where(url)}: not a usable database URL ({_first_line(exc)})"
