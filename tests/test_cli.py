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


@pytest.mark.parametrize("instance", ["ft06", "Mk01", "j301_1", "wt40-001", "ta001", "DAG"])
def test_the_default_solver_path_ends_cleanly_on_every_class(instance):
    """`schedlab solve X` with the default solver (auto), as a new user types it: no traceback, a result line."""
    from pathlib import Path

    if instance == "DAG":
        instance = str(Path(__file__).resolve().parents[1] / "src/schedlab/data/dag/topcuoglu2002.json")
    proc = run("solve", instance, "--time-limit", "2")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "solver auto" in proc.stdout and "objective" in proc.stdout


def test_names_ignore_case_and_misspellings_get_a_suggestion(capsys):
    assert main(["solve", "ft06", "--solver", "RULES:MWKR"]) == 0
    assert "solver rules:mwkr" in capsys.readouterr().out
    assert main(["solve", "ft06", "--solver", "tabu-n8"]) == 2
    assert "unknown solver 'tabu-n8' (did you mean 'tabu-n7'?)" in capsys.readouterr().err
    assert main(["simulate", "llm", "--policy", "sarathy", "--requests", "10"]) == 2
    assert "(did you mean 'sarathi'?)" in capsys.readouterr().err


def test_tables_print_whole_names_when_piped():
    proc = run("bench", "hurink-edata", "--limit", "2", "--solver", "rules:mwkr", "--executor", "serial")
    assert proc.returncode == 0, proc.stderr
    assert "edata/abz5" in proc.stdout or "edata/" in proc.stdout.split("mean per size class")[0]
    assert "…" not in proc.stdout and "..." not in proc.stdout.split("mean per size class")[0]


def test_list_solvers_prints_the_capability_table_and_list_policies(capsys):
    assert main(["list", "solvers"]) == 0
    table = capsys.readouterr().out
    assert "heft" in table and "single machine" in table and "flexible job shop" in table
    assert main(["list", "policies", "cluster"]) == 0
    assert "uwfq" in capsys.readouterr().out
    assert main(["list", "formats", "llm"]) == 2


def test_simulation_parameters_land_in_the_result(tmp_path):
    out = tmp_path / "c.json"
    assert main(["simulate", "cluster", "--partition", "10", "--jobs", "60", "--out", str(out)]) == 0
    result = json.loads(out.read_text())
    assert result["params"]["partition"] == 10 and result["params"]["jobs"] == 60 and result["policy"] == "uwfq"


def test_a_store_url_without_its_driver_is_one_line(tmp_path):
    proc = run("serve", "--db", "postgresql+psycopg2://user@127.0.0.1:1/db", "--port", "0")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "pg8000" in proc.stderr
