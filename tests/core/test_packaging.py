"""The portal as an installed package: pinned dependencies, data files in the wheel, production defaults."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def _pinned(lock: str) -> set[str]:
    text = (ROOT / lock).read_text(encoding="utf-8")
    return {
        line.split("==")[0].lower() for line in text.splitlines() if "==" in line and not line.startswith("#")
    }


def test_the_lock_files_pin_every_dependency():
    """requirements.lock (the image) and requirements-dev.lock (make install, CI): run `make lock`."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = {_name(r) for r in project["dependencies"]}
    dev = {_name(r) for r in project["optional-dependencies"]["dev"]}
    assert runtime - _pinned("requirements.lock") == set()
    assert (runtime | dev) - _pinned("requirements-dev.lock") == set()


@pytest.mark.parametrize("module", ["config.wsgi", "config.asgi", "config.celery"])
def test_servers_default_to_production_settings(module):
    """Without DJANGO_SETTINGS_MODULE, servers load production settings (which refuse a missing key)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "SECRET_KEY"}}
    code = f"import {module}; from django.conf import settings; settings.DEBUG"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "SECRET_KEY must be set to a long random value in production." in result.stderr


def test_the_web_server_loads_the_views_then_freezes_the_heap():
    """config.wsgi imports every view and takes what is loaded out of the collector's sight (the
    collections of a page and the long pauses every few hundred requests; see config/wsgi.py)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    code = (
        "import gc, sys, config.wsgi as w; "
        "print(gc.get_freeze_count(), gc.get_threshold()[0], w.GC_YOUNG_THRESHOLD, "
        "'consultations.views' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    frozen, young, wanted, views_loaded = result.stdout.split()
    assert int(frozen) > 10_000
    assert int(young) == int(wanted) > 700
    assert views_loaded == "True"


def test_the_wheel_carries_templates_and_static_files(tmp_path):
    """`pip install .` gives a package that renders pages: site and app templates, static files."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            tmp_path,
            ROOT,
        ],
        check=True,
        cwd=tmp_path,
    )
    [wheel] = tmp_path.glob("kyodo_portal-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "config/templates/base.html",
        "config/templates/pdf/base.html",
        "config/static/css/site.css",
        "core/templates/core/home.html",
        "groups/templates/groups/index.html",
        "ops/management/commands/bench.py",
    ):
        assert expected in names, expected
    assert not any(name.startswith(("tests/", "templates/", "static/")) for name in names)
