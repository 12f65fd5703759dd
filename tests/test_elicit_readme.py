"""The README's elicit session is a working example: copied into a file, `priorcli elicit` fits both
experts and pools them (it did not once: its quantity limits dropped every family it listed)."""

import json
import pathlib
import re

from typer.testing import CliRunner

from priorcli.cli import app

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"


def test_readme_session_runs(tmp_path):
    text = README.read_text()
    section = text[text.index("### Several experts: `priorcli elicit SESSION.toml`"):]
    block = re.search(r"```toml\n(.*?)```", section, re.S).group(1)
    session = tmp_path / "session.toml"
    session.write_text(block)
    result = CliRunner().invoke(app, ["elicit", str(session), "--format", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert set(doc["experts"]) == {"alice", "bob"}
    assert {"linear", "log"} <= set(doc["pools"])
    for expert in doc["experts"].values():
        assert expert["chosen"]["family"] in {"Gamma", "LogNormal", "Weibull"}
