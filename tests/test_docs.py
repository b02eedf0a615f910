"""Every command and snippet in README.md and docs/*.md, run as a user would run it.

Shell blocks run as one bash script each (in a scratch folder, `.venv/bin` on the PATH), Python
blocks as scripts, JSON blocks must parse as instances. What the test may change, and nothing
else: the `make` commands are skipped (they are the two set-up commands CI itself runs), time
limits, request and job counts and suite limits are lowered, the service's port is a free one,
and placeholder inputs (`my_shop.fjs`, `model.json`) are made here. Each must exit 0 and print
no traceback.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_service import _free_port

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w+)?([^\n]*)\n(.*?)^```", re.S | re.M)
LOWER = [  # (pattern, most) - the number after the flag is cut to `most`
    (r"(--time-limit[ =])(\d+(?:\.\d+)?)", 2),
    (r"(\"time_limit\": )(\d+(?:\.\d+)?)", 2),
    (r"(--requests[ =])(\d+)", 300),
    (r"(--jobs[ =])(\d+)", 150),
    (r"(\"jobs\": )(\d+)", 150),
    (r"(--limit[ =])(\d+)", 2),
]


def blocks(path: Path) -> list[tuple[str, str, str]]:
    """(language, info, code) of every fenced block."""
    return [(m.group(1) or "", m.group(2).strip(), m.group(3)) for m in FENCE.finditer(path.read_text())]


def adapt_shell(code: str, port: int) -> str:
    lines = []
    for line in code.replace("\\\n", " ").splitlines():
        if re.match(r"\s*make\s", line):
            continue
        for pattern, most in LOWER:
            line = re.sub(pattern, lambda m, most=most: m.group(1) + str(min(float(m.group(2)), most)).removesuffix(".0"), line)
        line = line.replace(".venv/bin/", f"{BIN}/").replace("localhost:8000", f"localhost:{port}")
        line = re.sub(r"(?<![\w/])src/schedlab/", f"{REPO}/src/schedlab/", line)
        if re.search(r"schedlab serve", line):
            line = line.replace("--port 8000", f"--port {port}")
            line += (f"\nfor i in $(seq 150); do curl -sf localhost:{port}/health >/dev/null && break; sleep 0.2; done")
        lines.append(line)
    stop_servers = "trap 'pids=$(jobs -p); [ -z \"$pids\" ] || kill $pids 2>/dev/null; wait; true' EXIT\n"
    return stop_servers + "\n".join(lines) + "\n"


def make_placeholders(folder: Path) -> None:
    from schedlab.bench.suites import find_instance
    from schedlab.core.model import ProblemBuilder
    from schedlab.problems.formats.registry import write_problem

    write_problem(find_instance("Mk01").load(), folder / "my_shop.fjs")
    b = ProblemBuilder("model")  # a user's own model: two machines, jobs with due dates and weights
    m0, m1 = b.add_machine("m0"), b.add_machine("m1")
    for j, (p0, p1, due, weight) in enumerate([(3, 4, 4, 2), (2, 2, 3, 1), (4, 3, 9, 3), (5, 6, 7, 1)]):
        b.add_task([(m0, p0), (m1, p1)], job=b.add_job(f"order{j}", due=due, weight=weight))
    write_problem(b.build(), folder / "model.json")


def run_shell(code: str, cwd: Path, port: int) -> subprocess.CompletedProcess:
    env = {**os.environ, "PATH": f"{BIN}:{os.environ.get('PATH', '')}", "SCHEDLAB_DATA": str(cwd / "schedlab-data")}
    env.pop("SCHEDLAB_PLUGINS", None)
    return subprocess.run(["bash", "-euo", "pipefail", "-c", adapt_shell(code, port)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=900, start_new_session=True)


@pytest.mark.parametrize("doc", DOCS, ids=[p.name for p in DOCS])
def test_every_block_of_the_document_runs(doc, tmp_path):
    make_placeholders(tmp_path)
    ran = 0
    for lang, info, code in blocks(doc):
        if lang in ("bash", "sh", "shell"):
            proc = run_shell(code, tmp_path, _free_port())
        elif lang == "python":
            title = re.search(r'title="([^"]+)"', info)
            if title:
                (tmp_path / title.group(1)).write_text(code)
            env = {**os.environ, "PYTHONPATH": str(tmp_path)}
            proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True,
                                  timeout=600)
        elif lang == "json":
            from schedlab.problems.formats.registry import parse_problem

            parse_problem(code, f"{doc.name}.json")  # a JSON block is an instance: it must read
            ran += 1
            continue
        else:
            continue
        ran += 1
        output = proc.stdout + proc.stderr
        assert proc.returncode == 0, f"{doc.name} block:\n{code}\n--- output:\n{output[-4000:]}"
        assert "Traceback" not in output, f"{doc.name} block:\n{code}\n--- output:\n{output[-4000:]}"
    assert ran or doc.name not in ("README.md",), f"{doc.name}: no block ran"


def test_the_readme_quick_start_is_two_commands():
    quick = blocks(REPO / "README.md")[0][2]
    commands = [line.split("#")[0].strip() for line in quick.splitlines() if line.split("#")[0].strip()]
    assert commands == ["make run", "make test"]


def test_adapt_lowers_only_numbers():
    adapted = adapt_shell(".venv/bin/schedlab bench taillard --limit 10 --time-limit 10 --requests 10000", 9)
    assert f"{BIN}/schedlab bench taillard --limit 2 --time-limit 2 --requests 300" in adapted
    assert json.loads('{"time_limit": 2}')  # the JSON form is lowered the same way
