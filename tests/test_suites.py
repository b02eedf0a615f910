"""The bundled suites are complete and carry their best-known values."""

import pytest

from schedlab.bench.suites import find_instance, suite_instances


@pytest.mark.parametrize(
    ("suite", "count", "first", "best"),
    [
        ("taillard", 80, "ta01", 1231),
        ("jssp-classic", 82, "abz5", 1234),
        ("brandimarte", 10, "Mk01", 40),
        ("j30", 480, "j301_1", 43),
        ("j60", 480, "j601_1", 77),
        ("j120", 600, "j1201_1", 105),
        ("wt40", 125, "wt40-001", 913),
        ("wt50", 125, "wt50-001", 2134),
        ("pfsp-taillard", 100, "ta001", 1278),
    ],
)
def test_suite_contents(suite, count, first, best):
    instances = suite_instances(suite)
    assert len(instances) == count
    assert instances[0].name == first and instances[0].best_known == best
    assert all(i.best_known is not None for i in instances)


def test_j30_all_proved_optimal_and_ta_size_classes():
    assert all(i.proved_optimal for i in suite_instances("j30"))
    classes = [i.size_class for i in suite_instances("taillard")]
    assert classes[0] == "15x15" and classes[-1] == "100x20" and len(set(classes)) == 8


def test_bundled_instance_loads_as_its_class():
    assert find_instance("ta01").load().kind == "jobshop"
    assert find_instance("edata/la01").load().kind == "fjsp"
    assert find_instance("la01").load().kind == "jobshop"
    assert find_instance("wt40-002").load().objective.describe() == "weighted_tardiness"
