"""Property-based fuzzing of the HTTP API from its own OpenAPI schema (Schemathesis).

Every operation gets generated requests, valid and invalid: none may answer 5xx, no body may hold
a traceback, and the server must still answer /health at the end. Jobs are only queued (no
workers run here), so the fuzzer exercises validation, storage and the read paths.
"""

from __future__ import annotations

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from schedlab.service.app import Limits, create_app


def _app():
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.mkdtemp(prefix="schedlab-fuzz-"))
    return create_app(str(folder / "jobs.db"), start_workers=False, limits=Limits(max_active=100_000))


APP = _app()
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


def _no_traceback(ctx, response, case):
    assert "Traceback" not in response.text, response.text[:500]


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_and_no_traceback(case):
    if case.query and "wait" in case.query:
        case.query["wait"] = 0  # long-polling a queued job only waits; keep the run short
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.status_code, response.text[:500])
    _no_traceback(None, response, case)


def test_the_server_is_alive_after_the_fuzzing():
    with TestClient(APP) as client:
        assert client.get("/health").json()["ok"] is True
