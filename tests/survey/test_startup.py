"""Starting is cheap: creating the app (every gunicorn worker, every `flask` command) loads no heavy library.

scikit-learn, scipy, numpy, pandas, pyarrow, openpyxl, the Vietnamese segmenter, alembic, jsonschema (questionnaire
imports) and the redaction patterns (the first comment) are loaded by the pages and commands that use them.
Checked in a fresh interpreter, since this test process has imported them all.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HEAVY = ("sklearn", "scipy", "numpy", "pandas", "pyarrow", "openpyxl", "pyvi", "alembic", "jsonschema")
ROOT = Path(__file__).resolve().parents[2]


def loaded_after(code: str, tmp_path: Path) -> dict[str, object]:
    """Run `code` (which sets `out`) in a new interpreter: the heavy libraries it loaded, and `out`."""
    report = "heavy = sorted({name.split('.')[0] for name in sys.modules} & set(HEAVY))"
    script = f"import json, sys\nHEAVY = {HEAVY!r}\n{code}\n{report}\nprint(json.dumps({{'heavy': heavy, 'out': out}}))"
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "SURVEY_INSTANCE_PATH": str(tmp_path)}
    environment["SURVEY_ENV"] = "testing"
    command = [sys.executable, "-c", script]
    finished = subprocess.run(
        command, capture_output=True, text=True, cwd=ROOT, env=environment, timeout=120, check=True
    )
    result: dict[str, object] = json.loads(finished.stdout.strip().splitlines()[-1])
    return result


def test_creating_the_app_and_listing_its_commands_loads_no_heavy_library(tmp_path):
    code = (
        "import wsgi\nout = {name: command.get_short_help_str() for name, command in wsgi.app.cli.commands.items()}\n"
        "out['(redaction loaded)'] = 'analysis.redaction' in sys.modules"
    )
    result = loaded_after(code, tmp_path)
    assert result["heavy"] == []
    commands = result["out"]
    assert isinstance(commands, dict) and commands.pop("(redaction loaded)") is False
    assert {"db", "report", "export-anonymised", "recluster", "seed-demo"} <= set(commands)
    assert commands["db"] == "Perform database migrations."


def test_a_migration_command_loads_alembic_when_it_runs(tmp_path):
    code = (
        "from flask_migrate import upgrade\nimport wsgi\n"
        "with wsgi.app.app_context():\n    upgrade()\n"
        "from sqlalchemy import inspect\nfrom survey.extensions import db\n"
        "with wsgi.app.app_context():\n    out = sorted(inspect(db.engine).get_table_names())"
    )
    result = loaded_after(code, tmp_path)
    assert "alembic" in result["heavy"] and "sklearn" not in result["heavy"]
    assert {"responses", "rollups", "idempotency_records", "alembic_version"} <= set(result["out"])  # type: ignore[arg-type]
