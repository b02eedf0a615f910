"""The command line, run as a user would: a subprocess, its exit status, its files."""

import json
import subprocess
import sys

import pytest

from schedlab.cli import main


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "schedlab.cli", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=300)


def test_solve_writes_result_json_and_gantt(tmp_path):
    out, gantt, png = tmp_path / "r.json", tmp_path / "g.html", tmp_path / "g.png"
    proc = run("solve", "ft06", "--solver", "cpsat", "--time-limit", "20", "--seed", "1", "--out", str(out),
               "--gantt", str(gantt))
    assert proc.returncode == 0, proc.stderr
    assert "objective 55" in proc.stdout and "gap 0.00%" in proc.stdout
    result = json.loads(out.read_text())
    for key in ("objective", "status", "lower_bound", "runtime_s", "solver", "seed", "schedule"):
        assert key in result
    assert result["objective"] == 55 and result["status"] == "optimal" and result["seed"] == 1
    assert len(result["schedule"]) == 36
    assert set(result["schedule"][0]) >= {"job", "task", "mode", "resources", "start", "end"}
    page = gantt.read_text()
    assert page.count("<rect class=\"bar\"") == 36
    assert main(["solve", "ft06", "--solver", "rules:mwkr", "--gantt", str(png)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_validate_accepts_and_rejects(tmp_path):
    out = tmp_path / "r.json"
    assert main(["solve", "la01", "--solver", "rules:spt", "--out", str(out)]) == 0
    proc = run("validate", "la01", str(out))
    assert proc.returncode == 0 and "feasible: makespan =" in proc.stdout
    data = json.loads(out.read_text())
    data["schedule"][0]["start"] += 1
    data["schedule"][0]["end"] += 1
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data))
    proc = run("validate", "la01", str(broken))
    assert proc.returncode == 1 and proc.stdout.startswith("infeasible: ")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["solve", "no_such_instance"], "neither a file nor a bundled instance"),
        (["solve", "ft06", "--solver", "magic"], "unknown solver 'magic'; known:"),
        (["solve", "BAD_FILE"], "BAD_FILE.jss:2: expected"),
        (["validate", "ft06", "missing.json"], "missing.json: no such file"),
        (["bench", "nosuite"], "unknown suite 'nosuite'"),
        (["solve", "setup", "--solver", "rules:spt"], "cannot solve setup-shop"),
    ],
)
def test_bad_input_exits_2_with_one_line(tmp_path, args, fragment):
    (tmp_path / "BAD_FILE.jss").write_text("2 2\n0 1 x\n")
    from pathlib import Path

    example = Path(__file__).resolve().parents[1] / "src" / "schedlab" / "data" / "examples" / "setup-shop.json"
    args = [str(tmp_path / "BAD_FILE.jss") if a == "BAD_FILE" else str(example) if a == "setup" else a for a in args]
    proc = run(*args, cwd=tmp_path)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert lines[0].startswith("schedlab: error: ") and fragment in lines[0], lines[0]


def test_infeasible_model_reports_status(tmp_path):
    model = {"resources": [{"name": "M"}], "jobs": [{"deadline": 3}],
             "tasks": [{"job": 0, "modes": [{"duration": 2, "resources": [0]}]},
                       {"job": 0, "modes": [{"duration": 2, "resources": [0]}]}]}
    path = tmp_path / "tight.json"
    path.write_text(json.dumps(model))
    proc = run("solve", str(path), "--out", str(tmp_path / "r.json"))
    assert proc.returncode == 1 and "status infeasible" in proc.stdout
    assert json.loads((tmp_path / "r.json").read_text())["status"] == "infeasible"


def test_list_commands(capsys):
    assert main(["list", "solvers"]) == 0
    listed = capsys.readouterr().out
    assert "cpsat" in listed and "milp" in listed and "rules:atc" in listed
    assert main(["list", "formats"]) == 0
    assert "fjs" in capsys.readouterr().out
    assert main(["list", "suites"]) == 0
    suites = capsys.readouterr().out
    assert "taillard" in suites and "j30" in suites and "wt40" in suites


def test_bench_writes_csv_with_gaps(tmp_path, capsys):
    out = tmp_path / "bench.csv"
    code = main(["bench", "taillard", "--limit", "2", "--solver", "rules:mwkr", "--solver", "rules:spt",
                 "--out", str(out)])
    assert code == 0
    text = capsys.readouterr().out
    assert "mean per size class" in text and "15x15" in text
    lines = out.read_text().splitlines()
    assert len(lines) == 1 + 4
    header = lines[0].split(",")
    row = dict(zip(header, lines[1].split(","), strict=True))
    assert row["instance"] == "ta01" and row["best_known"] == "1231" and row["valid"] == "True"
    assert float(row["gap_pct"]) == pytest.approx(100 * (float(row["objective"]) - 1231) / 1231)


def test_demo_writes_report(tmp_path):
    proc = run("demo", "--out-dir", str(tmp_path), "--time-limit", "1")
    assert proc.returncode == 0, proc.stderr
    report = (tmp_path / "report.html").read_text()
    assert "ft06" in report and "j301_1" in report and "wt40-002" in report and "<svg" in report
    assert "report written to" in proc.stdout
