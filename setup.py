"""Builds the wheel: the site's top-level templates/, static/ and locale/ go inside the config package.

A checkout keeps them at the top level beside the apps; an installed package has no top level of
its own, so config/settings/base.py looks for them inside config when they are not beside it.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SITE_DATA = ("templates", "static", "locale")


class BuildPyWithSiteData(build_py):
    def run(self) -> None:
        super().run()
        for name in SITE_DATA:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, Path(self.build_lib) / "config" / name, dirs_exist_ok=True)


setup(cmdclass={"build_py": BuildPyWithSiteData})
