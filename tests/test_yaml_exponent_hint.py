"""YAML 1.1, which reads `healthgrid.yml`, takes a number in exponent form only with a '.' and a
signed exponent: `1e-9` and `1.5e9` arrive as text. The error says so and how to write them."""

import pytest
import yaml


@pytest.mark.parametrize("written,hint", [
    ("1e-9", "1.0e-9"), ("1.5e9", "1.5e+9"), ("-2E3", "-2.0e+3"), ("1.e5", "1.0e+5"),
])
def test_a_number_yaml_reads_as_text_gets_the_spelling_it_reads_as_a_number(in_tmp, cli, written, hint):
    assert isinstance(yaml.safe_load(f"x: {written}")["x"], str) and isinstance(yaml.safe_load(f"x: {hint}")["x"], float)
    (in_tmp / "healthgrid.yml").write_text(f"grids:\n  - name: g\n    rows:\n      - {{label: A, query: 'avg:a{{*}}', score: {{good: {written}, bad: 1}}}}\n")
    result = cli("render", "--demo", "--out", "out")
    assert (result.code, result.err) == (2, f"healthgrid: error: grids[0].rows[0].score.good: must be a number, got a string "
                                            f"('{written}'); YAML 1.1 reads {written} as text: write {hint}\n")


def test_the_written_hint_loads(in_tmp, cli):
    (in_tmp / "healthgrid.yml").write_text("grids:\n  - name: g\n    days: 2\n    rows:\n"
                                           "      - {label: A, query: 'avg:a{*}', score: {good: 1.0e-9, bad: 1}}\n")
    assert cli("render", "--demo", "--out", "out", "--format", "html").code == 0
