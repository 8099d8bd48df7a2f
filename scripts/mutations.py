"""Mutations the fast stage tests must kill (``.venv/bin/python scripts/mutations.py``, from the project root).

Each is applied, ``tests/test_stages.py`` run, and the file restored; exit 1 if one survives: a stage could
break without a fast test noticing.
"""

import pathlib
import subprocess
import sys

CYCLE = "include/desa_cantik/cycle"
MUTATIONS = [  # file, original, mutant
    (f"{CYCLE}/gate.py", '"alasan": " | ".join(per_row.get(n, []) + whole)})', '"alasan": ""})'),
    (f"{CYCLE}/gate.py", 'issues[issues["keparahan"].isin([ERROR, WARNING])]', 'issues[issues["keparahan"].isin([ERROR])]'),
    (f"{CYCLE}/versions.py", "(newest is None or versi >= newest)", "(newest is None or versi > newest)"),
    (f"{CYCLE}/cross_check.py", "    ctx = gate_context(rt)\n", "    return {}\n    ctx = gate_context(rt)\n"),
    (f"{CYCLE}/coordinate.py", 'result = result[(result["tingkat"] != "desa") | (result["desa_kontribusi"] > 0)]', "pass"),
]


def main() -> int:
    survived = 0
    for name, original, mutant in MUTATIONS:
        path = pathlib.Path(name)
        text = path.read_text()
        assert original in text, (name, original)
        path.write_text(text.replace(original, mutant, 1))
        try:
            run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider",
                                  "tests/test_stages.py"], capture_output=True, text=True, check=False)
        finally:
            path.write_text(text)
        survived += run.returncode == 0
        print("KILLED  " if run.returncode else "SURVIVED", name, original[:50])
    return 1 if survived else 0


if __name__ == "__main__":
    raise SystemExit(main())
