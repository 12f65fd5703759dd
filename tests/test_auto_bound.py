"""solve --family auto with Dirichlet's --bound target: one short usage error pointing at solve
dirichlet, said once (it used to repeat the refusal for every candidate family)."""

from typer.testing import CliRunner

from priorcli.cli import app

runner = CliRunner()


def test_auto_with_bound_says_once_to_use_solve_dirichlet():
    result = runner.invoke(app, ["solve", "--family", "auto", "--mode", "1", "--bound", "0.1", "--mass", "0.9"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: --bound 0.1 is Dirichlet's target")
    assert "solve dirichlet" in lines[0] and "Normal" not in lines[0]
