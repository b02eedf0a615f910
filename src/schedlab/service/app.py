"""The HTTP API (FastAPI): submit, list, inspect, cancel and delete jobs; upload files; fetch results.

Every request body is validated at the door (typed, bounded, finite, no unknown fields; the
simulation schemas are generated from the domain declarations) and checked against the
service's work caps; errors are a 4xx that quotes at most a short excerpt of the input.
"""

import functools
import hmac
import ipaddress
import math
import os
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from fastapi import Body, FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from schedlab.core.errors import SchedlabError, excerpt
from schedlab.service import artifacts
from schedlab.service.schemas import SolveRequest, SweepRequest, UploadRequest, simulate_request_type
from schedlab.service.store import QueueFull, Store, default_url
from schedlab.service.supervisor import Supervisor

JobId = PathParam(ge=1, le=2**53, description="a job id as POST /jobs/... returned it")
UploadId = PathParam(ge=1, le=2**53)
LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "::1", "[::1]", "testserver"]


@dataclass(frozen=True)
class Limits:
    """What one submission may ask for; `serve --max-...` raises each."""

    max_active: int = 1000  # unfinished jobs (429 beyond)
    max_sim_work: int = 2_000_000  # requests / jobs / tasks of one simulation
    max_sweep_runs: int = 2000  # instances x solvers x seeds
    max_sweep_seconds: float = 24 * 3600.0  # runs x time limit
    max_upload_mb: float = 20.0

    @property
    def max_body_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024) + 1024 * 1024


def is_loopback(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def create_app(
    db: str | None = None,
    workers: int = 2,
    max_active: int = 1000,
    job_timeout_s: float = 3600.0,
    memory_mb: int = 4096,
    start_workers: bool = True,
    *,
    limits: Limits | None = None,
    token: str | None = None,
    host: str = "127.0.0.1",
    retain_days: float | None = None,
) -> FastAPI:
    limits = limits or Limits(max_active=max_active)
    url = db if db and "://" in db else default_url(db or Path(os.environ.get("SCHEDLAB_DATA", "schedlab-data")) / "jobs.db")
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    store = Store(url, max_active=limits.max_active)
    from schedlab.solvers.catalog import load_catalog_out_of_process

    catalog = load_catalog_out_of_process()  # solver names and capabilities, without loading the solvers here
    supervisor = Supervisor(url, workers, job_timeout_s, memory_mb, retain_days=retain_days)

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
    app.state.limits = limits
    app.state.solvers = catalog
    _guards(app, limits, token, host)
    _error_handlers(app)
    app.mount("/ui", StaticFiles(directory=str(Path(__file__).parent / "static"), html=True), name="ui")

    @app.get("/", include_in_schema=False)
    def root():
        return RedirectResponse("/ui/")

    _upload_routes(app, store, limits)
    _submit_routes(app, store, limits, catalog)
    _query_routes(app, store)
    _info_routes(app, store, catalog)
    _artifact_routes(app, store)
    return app


# -- guards: body size, token, Host and Origin ------------------------------------------------------
def _guards(app: FastAPI, limits: Limits, token: str | None, host: str) -> None:
    from starlette.middleware.trustedhost import TrustedHostMiddleware

    app.add_middleware(Guard, limits=limits, token=token)
    if is_loopback(host):  # a page on another site cannot reach a local service through a rebound DNS name
        app.add_middleware(TrustedHostMiddleware, allowed_hosts=LOOPBACK_HOSTS)


class Guard:
    """ASGI middleware: cross-site writes, oversized bodies and missing tokens are refused before any work."""

    def __init__(self, app, limits: Limits, token: str | None) -> None:
        self.app, self.limits, self.token = app, limits, token

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        refused = self._refusal(scope["method"], scope["path"], headers)
        if refused is not None:
            status, detail = refused
            extra = {"WWW-Authenticate": "Bearer"} if status == 401 else None
            return await JSONResponse({"detail": detail}, status_code=status, headers=extra)(scope, receive, send)
        return await self.app(scope, receive, send)

    def _refusal(self, method: str, path: str, headers: dict[str, str]) -> tuple[int, str] | None:
        if method in ("POST", "PUT", "PATCH", "DELETE"):
            cross = _cross_site(headers)
            if cross:
                return 403, cross
            length = headers.get("content-length")
            if length is not None and (not length.isdigit() or int(length) > self.limits.max_body_bytes):
                return 413, (f"request body over {self.limits.max_body_bytes // (1024 * 1024)} MB "
                             "(serve --max-upload-mb raises the limit)")
        if self.token and not _public(path):
            given = headers.get("authorization", "")
            if not hmac.compare_digest(given.encode(), f"Bearer {self.token}".encode()):
                return 401, "this service needs 'Authorization: Bearer <token>'"
        return None


def _public(path: str) -> bool:
    return path == "/health" or path == "/" or path == "/ui" or path.startswith("/ui/")


def _cross_site(headers: dict[str, str]) -> str | None:
    """A browser's cross-site POST (a form on another site) is refused: its Origin is not this host."""
    if headers.get("sec-fetch-site") == "cross-site":
        return "cross-site request refused"
    origin = headers.get("origin")
    if origin and origin != "null":
        if urlsplit(origin).netloc.lower() != headers.get("host", "").lower():
            return "cross-origin request refused"
    elif origin == "null":
        return "request from an opaque origin refused"
    return None


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError):
        errors = []
        for err in exc.errors()[:20]:
            loc = [str(x) for x in err.get("loc", ())]
            entry = {"loc": loc, "msg": excerpt(err.get("msg", ""), 300), "type": err.get("type", "")}
            if "input" in err and not isinstance(err["input"], dict | list):
                entry["input"] = excerpt(repr(err["input"]), 60)
            errors.append(entry)
        return JSONResponse({"detail": errors}, status_code=422)

    @app.exception_handler(SchedlabError)
    async def schedlab_error(request: Request, exc: SchedlabError):
        return JSONResponse({"detail": excerpt(str(exc), 500)}, status_code=422)


def _unprocessable(message: str) -> HTTPException:
    return HTTPException(422, excerpt(message, 2000))  # inputs inside are already quoted short


# -- uploads ------------------------------------------------------------------------------------
def _upload_routes(app: FastAPI, store: Store, limits: Limits) -> None:
    @app.post("/uploads", status_code=201, summary="store a file (an instance or a trace) for later jobs")
    def upload(req: UploadRequest):
        size = len(req.text.encode())
        if size > limits.max_upload_mb * 1024 * 1024:
            raise HTTPException(413, f"upload of {size / 1e6:.1f} MB is over {limits.max_upload_mb:g} MB "
                                     "(serve --max-upload-mb raises the limit)")
        upload_id = store.add_upload(req.name, req.text)
        return JSONResponse({"id": upload_id, "ref": f"upload:{upload_id}", "name": req.name, "size": size}, status_code=201)

    @app.get("/uploads", summary="uploaded files (without their content)")
    def list_uploads(limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0, le=10**9)):
        return {"uploads": store.uploads(limit, offset)}

    @app.get("/uploads/{upload_id}", summary="an uploaded file's content")
    def get_upload(upload_id: int = UploadId):
        found = store.upload(upload_id)
        if found is None:
            raise HTTPException(404, f"no upload {upload_id}")
        return Response(found[1], media_type="text/plain")

    @app.delete("/uploads/{upload_id}", summary="delete an uploaded file")
    def delete_upload(upload_id: int = UploadId):
        if not store.delete_upload(upload_id):
            raise HTTPException(404, f"no upload {upload_id}")
        return {"id": upload_id, "deleted": True}


# -- submissions ------------------------------------------------------------------------------------
def _submit(store: Store, kind: str, spec: dict) -> JSONResponse:
    try:
        job_id = store.submit(kind, spec)
    except QueueFull as exc:
        raise HTTPException(429, f"queue full: {exc}; retry later (serve --max-active raises the limit)") from None
    return JSONResponse({"id": job_id, "status": "queued"}, status_code=202)


def _canonical_solver(name: str, catalog: dict) -> str:
    from schedlab.core.registry import unknown_name_message

    if name in catalog:
        return name
    folded = {n.lower(): n for n in catalog}
    if name.lower() in folded:
        return folded[name.lower()]
    raise _unprocessable(unknown_name_message("solver", name, catalog))


def _solve_spec(req: SolveRequest, store: Store, catalog: dict) -> dict:
    from schedlab.solvers.capabilities import capability_gap
    from schedlab.solvers.catalog import capabilities_of

    solver = _canonical_solver(req.solver, catalog)
    given = [x for x in (req.instance, req.text, req.upload) if x is not None]
    if len(given) != 1:
        raise _unprocessable("give exactly one of 'instance' (a bundled name), 'upload' (an uploaded file's id) or 'text'")
    spec = {"solver": solver, "time_limit": req.time_limit, "seed": req.seed, "format": req.format,
            "filename": req.filename}
    if req.params:
        spec["params"] = dict(req.params)
    if req.format is not None:
        from schedlab.problems.formats.registry import FORMATS

        if req.format not in FORMATS:
            raise _unprocessable(f"unknown format {req.format!r}; known: {', '.join(FORMATS.names())}")
    if req.instance is not None:
        try:
            name, problem = _bundled(req.instance)
            reason = capability_gap(capabilities_of(catalog[solver]), problem)  # size limits: the job says
        except SchedlabError as exc:
            raise _unprocessable(str(exc)) from None
        if reason:
            raise _unprocessable(f"solver {solver!r} cannot solve {name}: {reason}")
        spec["instance"] = name
    elif req.upload is not None:
        info = store.upload_info(req.upload)
        if info is None:
            raise _unprocessable(f"upload {req.upload} does not exist (POST /uploads stores a file)")
        spec["upload"] = req.upload
        spec["filename"] = req.filename or info["name"]
    else:  # inline text: kept as an upload, parsed by the job (off the request path)
        spec["upload"] = store.add_upload(req.filename or "upload", req.text)
    return spec


@functools.lru_cache(maxsize=512)
def _bundled(name: str):
    """(canonical name, problem) of a bundled instance; problems are immutable, so loaded once."""
    from schedlab.bench.suites import find_instance

    inst = find_instance(name)
    return inst.name, inst.load()


def _simulate_spec(body: Any, store: Store, limits: Limits) -> dict:
    from schedlab.sim.domain import get_domain, split_request
    from schedlab.sim.params import ParameterError

    domain = get_domain(body.domain)
    values = body.params.model_dump(exclude_unset=True)
    try:
        request = split_request(domain, values, allow_local_files=False)
    except ParameterError as exc:
        raise _unprocessable(f"params.{exc.name}: {exc.detail}") from None
    for spec in domain.param_specs():
        value = getattr(request.params, spec.name)
        if spec.meta.local_file and isinstance(value, str) and value.startswith("upload:"):
            if store.upload_info(int(value.split(":", 1)[1])) is None:
                raise _unprocessable(f"params.{spec.name}: {value} does not exist (POST /uploads stores a file)")
    if domain.work is not None:
        try:
            work = domain.work(request.params)
        except (OverflowError, ValueError, ZeroDivisionError):
            work = math.inf
        if work > limits.max_sim_work:
            raise _unprocessable(f"this simulation asks for {work:.0f} {domain.work_name or 'work units'}, over this service's "
                                 f"cap of {limits.max_sim_work} (serve --max-sim-work raises it)")
    return {"domain": domain.name, "params": values}


def _sweep_spec(req: SweepRequest, limits: Limits, catalog: dict) -> dict:
    from schedlab.bench.suites import SUITES, suite_instances
    from schedlab.service.jobs import sweep_instances

    try:
        suite = SUITES.canonical(req.suite)
    except SchedlabError as exc:
        raise _unprocessable(str(exc)) from None
    solvers = [_canonical_solver(s, catalog) for s in req.solvers]
    spec = req.model_dump()
    spec.update(suite=suite, solvers=solvers)
    if req.instances:
        known = {i.name.lower() for i in suite_instances(suite)}
        unknown = [n for n in req.instances if n.lower() not in known]
        if unknown:
            shown = ", ".join(excerpt(n, 40) for n in unknown[:5])
            raise _unprocessable(f"{len(unknown)} instance name(s) not in suite {suite}: {shown}")
    runs = len(sweep_instances(spec)) * len(solvers) * len(req.seeds)
    if runs == 0:
        raise _unprocessable("the sweep selects no instance")
    if runs > limits.max_sweep_runs:
        raise _unprocessable(f"the sweep has {runs} runs, over this service's cap of {limits.max_sweep_runs} "
                             "(serve --max-sweep-runs raises it)")
    if runs * req.time_limit > limits.max_sweep_seconds:
        raise _unprocessable(f"the sweep may take {runs * req.time_limit:g} s ({runs} runs x {req.time_limit:g} s), over "
                             f"this service's cap of {limits.max_sweep_seconds:g} s (serve --max-sweep-seconds raises it)")
    if req.executor == "ray":
        try:
            import ray  # noqa: F401
        except ImportError:
            raise _unprocessable("the ray executor needs Ray on the server: pip install 'schedlab[ray]'") from None
    return spec


def _submit_routes(app: FastAPI, store: Store, limits: Limits, catalog: dict) -> None:
    @app.post("/jobs/solve", status_code=202, summary="solve one instance")
    def submit_solve(req: SolveRequest):
        return _submit(store, "solve", _solve_spec(req, store, catalog))

    simulate_body, discriminator = simulate_request_type()

    def submit_simulate(req=Body(..., discriminator=discriminator)):
        return _submit(store, "simulate", _simulate_spec(req, store, limits))

    submit_simulate.__annotations__["req"] = simulate_body
    app.post("/jobs/simulate", status_code=202, summary="run one simulation (parameters per domain in the schema)")(
        submit_simulate)

    @app.post("/jobs/sweep", status_code=202, summary="run a benchmark sweep (suite x solvers x seeds)")
    def submit_sweep(req: SweepRequest):
        return _submit(store, "sweep", _sweep_spec(req, limits, catalog))


# -- queries ----------------------------------------------------------------------------------------
def _finished(store: Store, job_id: int):
    """The job and its result, or 404 (no such job) / 409 (not done)."""
    job = store.get(job_id)
    if job is None:
        raise HTTPException(404, f"no job {job_id}")
    if job.status != "done":
        raise HTTPException(409, f"job {job_id} is {job.status}" + (f": {excerpt(job.error, 300)}" if job.error else ""))
    return job, store.result(job_id) or {}


def summary(job) -> dict:
    """A job without any instance text (listings stay small whatever was uploaded)."""
    out = job.to_dict()
    out["spec"] = {k: v for k, v in job.spec.items() if k != "text"}
    return out


def _query_routes(app: FastAPI, store: Store) -> None:
    import time

    @app.get("/jobs", summary="list jobs (summaries), newest first; changed_since for only what changed")
    def list_jobs(
        status: Literal["queued", "running", "done", "failed", "cancelled"] | None = None,
        limit: int = Query(100, ge=1, le=1000),
        offset: int = Query(0, ge=0, le=10**9),
        changed_since: float | None = Query(None, ge=0, le=1e11, description="server time of an earlier listing's 'now'"),
    ):
        now = time.time() - 2.0  # an overlap: a change committed while this query ran is sent again, never missed
        jobs = store.list(status, limit, offset, changed_since)
        return {"jobs": [summary(j) for j in jobs], "counts": store.counts(), "now": now}

    @app.get("/jobs/{job_id}", summary="one job's status, progress and incumbent (wait=S: until it ends, at most S s)")
    def get_job(job_id: int = JobId, wait: float = Query(0.0, ge=0, le=60, description="seconds to wait for the job to end")):
        deadline = time.monotonic() + wait
        while True:
            job = store.get(job_id)
            if job is None:
                raise HTTPException(404, f"no job {job_id}")
            if job.status in ("done", "failed", "cancelled") or time.monotonic() >= deadline:
                return summary(job)
            time.sleep(0.2)

    @app.delete("/jobs/{job_id}", summary="delete a finished job and its result")
    def delete_job(job_id: int = JobId):
        job = store.get(job_id)
        if job is None:
            raise HTTPException(404, f"no job {job_id}")
        if not store.delete(job_id):
            raise HTTPException(409, f"job {job_id} is {job.status}; cancel it first")
        return {"id": job_id, "deleted": True}

    @app.post("/jobs/{job_id}/cancel", summary="cancel a queued or running job")
    def cancel_job(job_id: int = JobId):
        job = store.get(job_id)
        if job is None:
            raise HTTPException(404, f"no job {job_id}")
        if not store.cancel(job_id):
            raise HTTPException(409, f"job {job_id} is already {job.status}")
        return {"id": job_id, "status": "cancelled"}

    @app.get("/jobs/{job_id}/result", summary="the finished job's result JSON")
    def get_result(job_id: int = JobId):
        return _finished(store, job_id)[1]



def _info_routes(app: FastAPI, store: Store, catalog: dict) -> None:
    @app.get("/jobs/{job_id}/instance", summary="a solve job's instance text (an upload) or bundled name")
    def get_instance(job_id: int = JobId):
        job = store.get(job_id)
        if job is None or job.kind != "solve":
            raise HTTPException(404, f"no solve job {job_id}")
        if job.spec.get("upload") is not None:
            found = store.upload(int(job.spec["upload"]))
            if found is None:
                raise HTTPException(404, f"the upload of job {job_id} was deleted")
            return Response(found[1], media_type="text/plain")
        if job.spec.get("text"):
            return Response(job.spec["text"], media_type="text/plain")
        return {"instance": job.spec.get("instance")}

    @app.get("/registries", summary="solvers, suites, formats, simulation domains with their parameters and policies")
    def registries():
        from schedlab.bench.suites import SUITES
        from schedlab.problems.formats.registry import FORMATS
        from schedlab.sim.domain import domain_names, get_domain

        return {
            "solvers": sorted(catalog),
            "solver_capabilities": catalog,
            "suites": SUITES.names(),
            "formats": FORMATS.names(),
            "simulations": {name: _describe_domain(get_domain(name)) for name in domain_names()},
        }

    @app.get("/health")
    def health():
        return {"ok": True, "counts": store.counts()}


def _spec_json(spec) -> dict:
    m = spec.meta
    bounds = {k: v for k, v in (("ge", m.ge), ("gt", m.gt), ("le", m.le), ("lt", m.lt)) if v is not None}
    default = spec.default if not (isinstance(spec.default, float) and math.isnan(spec.default)) else None
    return {"name": spec.name, "type": spec.type.__name__, "optional": spec.optional, "default": default,
            "choices": list(m.choices) if m.choices else None, "help": m.help, "unit": m.unit,
            "accepts_uploads": m.local_file, **bounds}


def _describe_domain(domain) -> dict:
    """What the dashboard builds its form from (the same declaration the CLI and the schema use)."""
    return {
        "description": domain.description,
        "default_policy": domain.default_policy,
        "parameters": {s.name: s.default for s in domain.param_specs()},  # name -> default, as before
        "fields": [_spec_json(s) for s in domain.param_specs()],
        "policies": {name: {"description": domain.policies.describe(name),
                            "options": [_spec_json(s) for s in domain.policies.get(name).option_specs()],
                            "needs_predictions": domain.policies.get(name).needs_predictions}
                     for name in domain.policies.names()},
    }


def _artifact_routes(app: FastAPI, store: Store) -> None:
    @app.get("/jobs/{job_id}/result.csv", summary="the result as CSV: schedule rows, sweep runs or simulation metrics")
    def get_result_csv(job_id: int = JobId):
        job, result = _finished(store, job_id)
        return Response(
            artifacts.result_csv(job.kind, result),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="job-{job_id}.csv"'},
        )

    @app.get("/jobs/{job_id}/gantt.{fmt}", summary="a Gantt chart: png, svg or html (solve jobs; simulations with spans)")
    def get_gantt(fmt: Literal["png", "svg", "html"], job_id: int = JobId):
        job, result = _finished(store, job_id)
        try:
            body = artifacts.gantt(job.kind, job.spec, result, fmt, store)
        except artifacts.ArtifactUnavailable as exc:
            raise HTTPException(404, str(exc)) from None
        return Response(body, media_type=artifacts.GANTT_MEDIA[fmt])

    @app.get("/jobs/{job_id}/report.html", summary="a simulation job's HTML report")
    def get_report(job_id: int = JobId):
        job, result = _finished(store, job_id)
        try:
            return Response(artifacts.report_html(job.kind, result), media_type="text/html")
        except artifacts.ArtifactUnavailable as exc:
            raise HTTPException(404, str(exc)) from None

    @app.get("/jobs/{job_id}/plots", summary="names of the plots a finished job has")
    def list_plots(job_id: int = JobId):
        job, result = _finished(store, job_id)
        return {"plots": artifacts.plot_names(job.kind, result)}

    @app.get("/jobs/{job_id}/plots/{name}.png", summary="one plot of a finished job as PNG")
    def get_plot(name: str = PathParam(max_length=100), job_id: int = JobId):
        job, result = _finished(store, job_id)
        try:
            return Response(artifacts.plot(job.kind, result, name), media_type="image/png")
        except artifacts.ArtifactUnavailable as exc:
            raise HTTPException(404, str(exc)) from None
