"""The domain contract: a toy domain declared in one file gets every front end with no other edit.

The toy is defined here (written out as a module so the service's spawned workers can import it
through SCHEDLAB_PLUGINS, as a user's plug-in would be): CLI flags with validation, `list
policies`, a job through the HTTP API with its OpenAPI entries, and the generic report.
"""

from __future__ import annotations

import importlib
import json
import sys
import time

import pytest

from schedlab.cli import main
from schedlab.sim.domain import DOMAINS, domain_names, get_domain
from schedlab.sim.params import ParameterError

TOY = '''
from dataclasses import dataclass

from schedlab.sim.domain import Domain, Policy, policy_registry, register_domain
from schedlab.sim.params import param
from schedlab.sim.result import SimResult, Span


@dataclass(frozen=True)
class ToyParams:
    items: int = param(10, "items to process", ge=1, le=1000)
    speed: float = param(2.0, "items per second", gt=0, le=100, unit="1/s")
    colour: str = param("red", "a choice", choices=("red", "blue"))


@dataclass(frozen=True)
class EveryOther:
    skip: int = param(2, "process every k-th item first", ge=1, le=10)


class ToyPolicy(Policy):
    def order(self, n: int) -> list[int]:
        raise NotImplementedError


class Interleave(ToyPolicy):
    name = "interleave"
    description = "every k-th item first"
    Options = EveryOther

    def order(self, n):
        k = self.options.skip
        return [i for i in range(n) if i % k == 0] + [i for i in range(n) if i % k]


def run(params, policy, seed, record):
    order = policy.order(params.items)
    assert sorted(order) == list(range(params.items))
    finish = [(pos + 1) / params.speed for pos in range(params.items)]
    out = SimResult("toy", policy.name, seed, {}, headline=("items", "mean_finish"))
    out.metric("items", params.items)
    out.metric("mean_finish", sum(finish) / len(finish), "s")
    out.metric("first_item", order[0])
    out.samples["finish"] = finish
    out.breakdowns["by_parity"] = {"even": sum(1 for i in order if i % 2 == 0), "odd": sum(1 for i in order if i % 2)}
    out.spans = [Span("machine", f - 1 / params.speed, f, f"item {i}", params.colour) for i, f in zip(order, finish)]
    return out


register_domain(Domain("toy", "a toy domain for the contract test", ToyParams,
                       policy_registry("toy policy", (Interleave,)), run, "interleave",
                       work=lambda p: p.items, work_name="items"))
'''


@pytest.fixture
def toy(tmp_path, monkeypatch):
    (tmp_path / "toy_domain.py").write_text(TOY)
    monkeypatch.setenv("PYTHONPATH", f"{tmp_path}:{':'.join(sys.path)}")
    monkeypatch.setenv("SCHEDLAB_PLUGINS", "toy_domain")
    monkeypatch.syspath_prepend(str(tmp_path))
    domain_names()  # the built-in domains first
    importlib.import_module("toy_domain")
    yield get_domain("toy")
    DOMAINS.unregister("toy")
    sys.modules.pop("toy_domain", None)


def test_cli_flags_validation_list_and_report(toy, tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["simulate", "toy", "--help"])
    help_text = " ".join(capsys.readouterr().out.split())  # argparse wraps lines
    assert "--items N" in help_text and ">= 1 and <= 1000; default 10" in help_text and "--skip" in help_text
    assert main(["simulate", "toy", "--items", "0"]) == 2
    assert capsys.readouterr().err.strip() == "schedlab: error: --items: must be an integer >= 1 and <= 1000, got 0"
    assert main(["simulate", "toy", "--colour", "green"]) == 2
    assert "--colour: unknown value 'green'" in capsys.readouterr().err
    out, report = tmp_path / "r.json", tmp_path / "r.html"
    assert main(["simulate", "toy", "--items", "6", "--skip", "3", "--out", str(out), "--report", str(report)]) == 0
    result = json.loads(out.read_text())
    assert result["metrics"] == {"items": 6, "mean_finish": 1.75, "first_item": 0}
    assert result["breakdowns"]["by_parity"] == {"even": 3, "odd": 3}
    page = report.read_text()
    assert "<h2>Timeline</h2>" in page and "by_parity" in page and "mean_finish" in page
    assert main(["list", "policies", "toy"]) == 0
    listed = capsys.readouterr().out
    assert "interleave" in listed and "skip=2" in listed
    assert main(["list", "domains"]) == 0 and "toy" in capsys.readouterr().out


def test_python_api_validates_the_same_way(toy):
    assert toy.simulate({"items": 4, "skip": 2}).metrics["first_item"] == 0
    with pytest.raises(ParameterError, match="speed: must be a number > 0"):
        toy.simulate({"speed": 0})
    with pytest.raises(ParameterError, match="not a known parameter"):
        toy.simulate({"itemz": 3})


def test_service_job_and_openapi(toy, tmp_path):
    from fastapi.testclient import TestClient

    from schedlab.service.app import create_app

    with TestClient(create_app(str(tmp_path / "jobs.db"), workers=1)) as client:
        schema = client.get("/openapi.json").json()["components"]["schemas"]
        params = schema["ToyParams"]["properties"]
        assert params["items"]["maximum"] == 1000 and params["items"]["minimum"] == 1
        assert params["colour"]["enum"] == ["red", "blue"] or "red" in json.dumps(params["colour"])
        assert "skip" in params and schema["ToyParams"]["additionalProperties"] is False
        bad = client.post("/jobs/simulate", json={"domain": "toy", "params": {"items": 5000}})
        assert bad.status_code == 422 and "less than or equal to 1000" in bad.text
        job = client.post("/jobs/simulate", json={"domain": "toy", "params": {"items": 8, "skip": 4}}).json()["id"]
        end = time.time() + 60
        while client.get(f"/jobs/{job}").json()["status"] not in ("done", "failed") and time.time() < end:
            time.sleep(0.2)
        assert client.get(f"/jobs/{job}").json()["status"] == "done", client.get(f"/jobs/{job}").json()
        result = client.get(f"/jobs/{job}/result").json()
        assert result["metrics"]["items"] == 8 and len(result["spans"]) == 8
        assert set(client.get(f"/jobs/{job}/plots").json()["plots"]) == {"cdf", "by_parity"}
        assert client.get(f"/jobs/{job}/gantt.png").content.startswith(b"\x89PNG")
        assert "by_parity" in client.get(f"/jobs/{job}/report.html").text
        form = client.get("/registries").json()["simulations"]["toy"]
        assert [f["name"] for f in form["fields"]] == ["items", "speed", "colour"]
        assert form["policies"]["interleave"]["options"][0]["name"] == "skip"


@pytest.mark.parametrize("name", ["llm", "dag", "cluster", "drones", "mec", "iot"])
def test_every_domain_help_and_one_line_errors(name, capsys):
    domain = get_domain(name)
    with pytest.raises(SystemExit):
        main(["simulate", name, "--help"])
    text = "".join(capsys.readouterr().out.split())  # argparse wraps lines, also after hyphens
    for spec in domain.param_specs():
        assert spec.flag in text and "".join(spec.help_text().split()) in text, spec.name
    numeric = next(s for s in domain.param_specs() if s.type in (int, float) and (s.meta.ge is not None or s.meta.gt is not None))
    low = (numeric.meta.ge if numeric.meta.ge is not None else numeric.meta.gt) - 1
    assert main(["simulate", name, numeric.flag, str(low)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"schedlab: error: {numeric.flag}: must be"), err
    assert main(["simulate", name, "--policy", "no-such-policy"]) == 2
    assert "unknown" in capsys.readouterr().err
