"""The HTTP API (FastAPI): submit, list, inspect, cancel jobs; fetch results; list registries."""

from __future__ import annotations

import os
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, HTTPException, Query
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field, field_validator

from schedlab.service import artifacts
from schedlab.service.store import QueueFull, Store, default_url
from schedlab.service.supervisor import Supervisor

MAX_INSTANCE_BYTES = 5 * 1024 * 1024


def _known_solver(name: str) -> str:
    from schedlab.solvers.base import solver_names

    names = solver_names()
    if name not in names:
        raise ValueError(f"unknown solver {name!r}; known: {', '.join(names)}")
    return name


class SolveRequest(BaseModel):
    instance: str | None = Field(None, description="a bundled instance name such as ft06, ta01, Mk01, j301_1")
    text: str | None = Field(None, description="the instance file's content (any supported format)")
    filename: str | None = Field(None, description="file name of `text`, used to detect its format")
    format: str | None = None
    solver: str = "auto"
    time_limit: float = Field(10.0, gt=0, le=3600)
    seed: int = 0

    @field_validator("solver")
    @classmethod
    def solver_known(cls, v: str) -> str:
        return _known_solver(v)

    @field_validator("text")
    @classmethod
    def text_size(cls, v: str | None) -> str | None:
        if v is not None and len(v.encode()) > MAX_INSTANCE_BYTES:
            raise ValueError(f"instance text is larger than {MAX_INSTANCE_BYTES // (1024 * 1024)} MB")
        return v

    def check(self) -> None:
        if (self.instance is None) == (self.text is None):
            raise HTTPException(422, "give exactly one of 'instance' (a bundled name) or 'text' (file content)")
        if self.instance is not None:
            from schedlab.bench.suites import find_instance

            try:
                find_instance(self.instance)
            except Exception as exc:
                raise HTTPException(422, str(exc)) from None
        else:
            from schedlab.core.errors import SchedlabError
            from schedlab.problems.formats.registry import parse_problem

            try:
                parse_problem(self.text, self.filename or "upload", self.format)
            except SchedlabError as exc:
                raise HTTPException(422, str(exc)) from None


class SimulateRequest(BaseModel):
    domain: str
    params: dict[str, Any] = Field(default_factory=dict)

    def check(self) -> None:
        from schedlab.simulations import SIMULATIONS, parameters

        if self.domain not in SIMULATIONS:
            raise HTTPException(422, f"unknown simulation domain {self.domain!r}; known: {', '.join(SIMULATIONS.names())}")
        unknown = sorted(set(self.params) - set(parameters(self.domain)))
        if unknown:
            raise HTTPException(
                422, f"unknown parameters for {self.domain}: {', '.join(unknown)}; accepted: {', '.join(parameters(self.domain))}"
            )


class SweepRequest(BaseModel):
    suite: str
    solvers: list[str] = Field(min_length=1, max_length=20)
    seeds: list[int] = Field(default_factory=lambda: [0], min_length=1, max_length=20)
    time_limit: float = Field(1.0, gt=0, le=600)
    iterations: int | None = Field(
        None, ge=1, le=10_000_000, description="step budget for search solvers, for results that do not depend on CPU speed"
    )
    limit: int | None = Field(None, ge=1, le=1000)
    instances: list[str] | None = None
    executor: Literal["serial", "ray"] = Field("serial", description="run in the job process, or dispatch each run to Ray")
    address: str | None = Field(None, description="Ray cluster address (default: a local Ray instance)")

    @field_validator("solvers")
    @classmethod
    def solvers_known(cls, v: list[str]) -> list[str]:
        return [_known_solver(s) for s in v]

    def check(self) -> None:
        from schedlab.bench.suites import SUITES

        if self.suite not in SUITES:
            raise HTTPException(422, f"unknown suite {self.suite!r}; known: {', '.join(SUITES.names())}")


def create_app(
    db: str | None = None,
    workers: int = 2,
    max_active: int = 1000,
    job_timeout_s: float = 3600.0,
    memory_mb: int = 4096,
    start_workers: bool = True,
) -> FastAPI:
    url = db if db and "://" in db else default_url(db or Path(os.environ.get("SCHEDLAB_DATA", "schedlab-data")) / "jobs.db")
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    store = Store(url, max_active=max_active)
    supervisor = Supervisor(url, workers, job_timeout_s, memory_mb)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if start_workers:
            supervisor.start()
        yield
        if start_workers:
            supervisor.stop()

    app = FastAPI(
        title="schedlab",
        version="0.1.0",
        lifespan=lifespan,
        description="Submit scheduling solve, simulation and benchmark jobs; follow them; fetch results.",
    )
    app.state.store = store
    app.state.supervisor = supervisor

    from fastapi.responses import RedirectResponse
    from fastapi.staticfiles import StaticFiles

    app.mount("/ui", StaticFiles(directory=str(Path(__file__).parent / "static"), html=True), name="ui")

    @app.get("/", include_in_schema=False)
    def root():
        return RedirectResponse("/ui/")

    _submit_routes(app, store)
    _query_routes(app, store)
    _artifact_routes(app, store)
    return app


def _submit_routes(app: FastAPI, store: Store) -> None:
    def _submit(kind: str, spec: dict) -> JSONResponse:
        try:
            job_id = store.submit(kind, spec)
        except QueueFull as exc:
            raise HTTPException(429, f"queue full: {exc}; retry later") from None
        return JSONResponse({"id": job_id, "status": "queued"}, status_code=202)

    @app.post("/jobs/solve", status_code=202, summary="solve one instance")
    def submit_solve(req: SolveRequest):
        req.check()
        return _submit("solve", req.model_dump())

    @app.post("/jobs/simulate", status_code=202, summary="run one simulation")
    def submit_simulate(req: SimulateRequest):
        req.check()
        return _submit("simulate", req.model_dump())

    @app.post("/jobs/sweep", status_code=202, summary="run a benchmark sweep (suite x solvers x seeds)")
    def submit_sweep(req: SweepRequest):
        req.check()
        return _submit("sweep", req.model_dump())


def _finished(store: Store, job_id: int):
    """The job and its result, or 404 (no such job) / 409 (not done)."""
    job = store.get(job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id}")
    if job.status != "done":
        raise HTTPException(409, f"job {job_id} is {job.status}" + (f": {job.error}" if job.error else ""))
    return job, store.result(job_id) or {}


def _query_routes(app: FastAPI, store: Store) -> None:
    @app.get("/jobs", summary="list jobs, newest first")
    def list_jobs(
        status: Literal["queued", "running", "done", "failed", "cancelled"] | None = None,
        limit: int = Query(100, ge=1, le=1000),
        offset: int = Query(0, ge=0),
    ):
        return {"jobs": [j.to_dict() for j in store.list(status, limit, offset)], "counts": store.counts()}

    @app.get("/jobs/{job_id}", summary="one job's status, progress and incumbent")
    def get_job(job_id: int):
        job = store.get(job_id)
        if job is None:
            raise HTTPException(404, f"no job {job_id}")
        return job.to_dict()

    @app.post("/jobs/{job_id}/cancel", summary="cancel a queued or running job")
    def cancel_job(job_id: int):
        job = store.get(job_id)
        if job is None:
            raise HTTPException(404, f"no job {job_id}")
        if not store.cancel(job_id):
            raise HTTPException(409, f"job {job_id} is already {job.status}")
        return {"id": job_id, "status": "cancelled"}

    @app.get("/jobs/{job_id}/result", summary="the finished job's result JSON")
    def get_result(job_id: int):
        return _finished(store, job_id)[1]

    @app.get("/registries", summary="solvers, suites, formats, simulation domains and their policies")
    def registries():
        from schedlab.bench.suites import SUITES
        from schedlab.problems.formats.registry import FORMATS
        from schedlab.simulations import SIMULATIONS, parameters
        from schedlab.solvers.base import solver_names

        return {
            "solvers": solver_names(),
            "suites": SUITES.names(),
            "formats": FORMATS.names(),
            "simulations": {
                d: {"description": SIMULATIONS.describe(d), "parameters": parameters(d)} for d in SIMULATIONS.names()
            },
        }

    @app.get("/health")
    def health():
        return {"ok": True, "counts": store.counts()}


def _artifact_routes(app: FastAPI, store: Store) -> None:
    @app.get("/jobs/{job_id}/result.csv", summary="the result as CSV: schedule rows, sweep runs or simulation metrics")
    def get_result_csv(job_id: int):
        job, result = _finished(store, job_id)
        return Response(
            artifacts.result_csv(job.kind, result),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="job-{job_id}.csv"'},
        )

    @app.get("/jobs/{job_id}/gantt.{fmt}", summary="a solve job's Gantt chart: png, svg or html")
    def get_gantt(job_id: int, fmt: str):
        job, result = _finished(store, job_id)
        try:
            body = artifacts.gantt(job.kind, job.spec, result, fmt)
        except artifacts.ArtifactUnavailable as exc:
            raise HTTPException(404, str(exc)) from None
        return Response(body, media_type=artifacts.GANTT_MEDIA[fmt])

    @app.get("/jobs/{job_id}/plots", summary="names of the plots a finished job has")
    def list_plots(job_id: int):
        job, result = _finished(store, job_id)
        return {"plots": artifacts.plot_names(job.kind, result)}

    @app.get("/jobs/{job_id}/plots/{name}.png", summary="one plot of a finished job as PNG")
    def get_plot(job_id: int, name: str):
        job, result = _finished(store, job_id)
        try:
            return Response(artifacts.plot(job.kind, result, name), media_type="image/png")
        except artifacts.ArtifactUnavailable as exc:
            raise HTTPException(404, str(exc)) from None
