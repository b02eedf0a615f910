"""Every format reads, writes and reads back the same problem; malformed files name file and line."""

from pathlib import Path

import pytest

from schedlab.bench.suites import find_instance
from schedlab.core.errors import ParseError
from schedlab.problems.formats.registry import FORMATS, detect_format, parse_problem, read_problem, write_problem
from schedlab.problems.formats.schedlab_json import problem_to_dict

EXAMPLES = Path(__file__).resolve().parents[1] / "src" / "schedlab" / "data" / "examples"


def _structure(problem):
    data = problem_to_dict(problem)
    data.pop("name")
    data.pop("metadata")
    data.pop("kind")
    for job in data["jobs"]:
        job.pop("name")
    for task in data["tasks"]:
        task.pop("name")
    for res in data["resources"]:
        res.pop("name")
    return data


@pytest.mark.parametrize(
    ("instance", "fmt", "suffix"),
    [
        ("ft06", "jss", ".jss"),
        ("la01", "jsl-json", ".json"),
        ("Mk01", "fjs", ".fjs"),
        ("j301_1", "sm", ".sm"),
        ("ta001", "fsp", ".fsp"),
        ("wt40-001", "smwt", ".smwt"),
        ("Mk01", "json", ".json"),
        ("j301_1", "json", ".json"),
        ("wt40-001", "json", ".json"),
    ],
)
def test_round_trip(tmp_path, instance, fmt, suffix):
    problem = find_instance(instance).load()
    path = tmp_path / f"{instance}{suffix}"
    write_problem(problem, path, fmt)
    assert detect_format(str(path), path.read_text()) == fmt
    again = read_problem(path)
    assert _structure(again) == _structure(problem)
    if fmt == "json":
        assert again.objective == problem.objective and again.kind == problem.kind


@pytest.mark.parametrize("example", sorted(p.name for p in EXAMPLES.glob("*.json")))
def test_json_examples_round_trip(tmp_path, example):
    problem = read_problem(EXAMPLES / example)
    write_problem(problem, tmp_path / example)
    assert problem_to_dict(read_problem(tmp_path / example)) == problem_to_dict(problem)


def test_formats_are_listed():
    assert set(FORMATS.names()) == {"jss", "jsl-json", "fjs", "sm", "fsp", "smwt", "json", "dag"}


def test_format_override_beats_detection(tmp_path):
    path = tmp_path / "three.txt"
    path.write_text("3\n1 1 1\n2 1 5\n3 2 4\n")
    assert read_problem(path).kind == "single_machine"
    path.write_text("2 2\n0 3 1 2\n1 2 0 4\n")
    assert read_problem(path).kind == "jobshop"
    with pytest.raises(ParseError, match="three.txt:3: expected the end of the file"):
        read_problem(path, "fsp")  # read as Taillard flow shop, the same text has 4 numbers too many
    path.write_text("2 2\n3 4\n5 6\n")
    assert read_problem(path).kind == "flowshop"


@pytest.mark.parametrize(
    ("name", "text", "line", "expected"),
    [
        ("a.jss", "2 2\n0 3 1 2\n1 2 0\n", 3, "duration of job 1 operation 1"),
        ("b.jss", "2 2\n0 3 5 2\n1 2 0 4\n", 2, "machine index in 0..1"),
        ("c.jss", "2 2\n0 3 1 -2\n", 2, ">= 0"),
        ("d.jss", "2 2\n0 3 1 2\n1 2 0 4 9\n", 3, "end of the file"),
        ("e.fjs", "1 2 1\n1 1 3 4\n", 2, "machine in 1..2"),
        ("f.fjs", "1 2\n2 1 1 4 1 x 3\n", 2, "(an integer), got 'x'"),
        ("g.fsp", "2 2\n1 2\n3\n", 3, "time of job 1 on machine 1"),
        ("h.smwt", "2\n1 1 1\n2 2\n", 3, "due date of job 1"),
        ("i.json", '{"resources": [}', 1, "expected JSON"),
        ("k.jss", "", 1, "empty"),
    ],
)
def test_malformed_files_name_file_line_and_expectation(name, text, line, expected):
    with pytest.raises(ParseError) as info:
        parse_problem(text, name)
    err = info.value
    assert err.path == name and err.line == line and expected in str(err), str(err)
    assert str(err).startswith(f"{name}:{line}: ")


def test_psplib_errors_name_the_line():
    from schedlab.bench import data

    text = data.read_text("rcpsp", "j30/j301_1.sm").splitlines()
    row = text.index("PRECEDENCE RELATIONS:") + 3  # the row of activity 2
    text[row] = "   2        1          3           6  11"  # says 3 successors, lists 2
    with pytest.raises(ParseError) as info:
        parse_problem("\n".join(text), "broken.sm")
    assert info.value.line == row + 1 and "successors" in str(info.value)


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ('{"resources": [], "tasks": []}', "at least one task"),
        ('{"resources": [{"capacity": 0}], "tasks": [{"modes": [{"duration": 1}]}]}', "capacity"),
        ('{"resources": [{}], "tasks": [{"modes": [{"duration": "x", "resources": [0]}]}]}', "tasks[0].modes[0].duration"),
        ('{"resources": [{}], "tasks": [{"modes": [{"duration": 1, "resources": [3]}]}]}', "out of range"),
        ('{"resources": [{}], "tasks": [{"modes": [{"duration": 1}]}], "objective": {"speed": 1}}', "terms among"),
        ('{"tasks": []}', "a list 'resources'"),
    ],
)
def test_json_schema_errors_say_where_and_what(document, expected):
    with pytest.raises(ParseError, match=expected.replace("[", r"\[").replace("]", r"\]")):
        parse_problem(document, "model.json")


def test_missing_file_is_a_clear_error(tmp_path):
    from schedlab.core.errors import SchedlabError

    with pytest.raises(SchedlabError, match="no such file"):
        read_problem(tmp_path / "nope.jss")
