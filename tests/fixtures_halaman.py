"""The real api-server and the browser the page tests share: one server per test session, whichever files run.

Registered in tests/conftest.py (``pytest_plugins``), so tests/test_halaman.py, tests/test_halaman_browser.py and
tests/test_kirim_browser.py ask for ``halaman_server`` / ``server`` / ``browser`` by name and get the same ones
(a fixture imported into several test modules would start one server per module).
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import ROOT
from .test_halaman import VIEWER, env_of, fill_deployment

LAYAR = ROOT / "docs" / "layar"  # screenshots, for people to look at
CHROMIUM = "/usr/bin/chromium"  # Debian's; Playwright's own download cannot be fetched here


@pytest.fixture(scope="session")
def halaman_server(tmp_path_factory: pytest.TempPathFactory, small_generated: Path) -> Iterator[Any]:
    """``airflow api-server`` (FAB, the project's roles and demo users, one Viewer) on a filled deployment."""
    from .airflow_server import BIN, airflow_api_server

    home = tmp_path_factory.mktemp("halaman-server")
    fill_deployment(home / "desa", small_generated)
    env = env_of(home / "desa")  # six users log in in a row: within config/webserver_config.py's limits
    with airflow_api_server(home / "af", env) as server:
        subprocess.run([str(BIN / "airflow"), "users", "create", "--username", VIEWER[0], "--password", VIEWER[1],
                        "--role", "Viewer", "--firstname", "Pemirsa", "--lastname", "Saja",
                        "--email", "pemirsa@demo.desacantik.invalid"], env=server.env, check=True, capture_output=True)
        server.passwords[VIEWER[0]] = VIEWER[1]
        yield server


@pytest.fixture(scope="session")
def server(halaman_server: Any) -> Any:
    return halaman_server


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    LAYAR.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield b
        b.close()
