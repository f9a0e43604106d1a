"""Ship the built release, the schema and the label maps inside the wheel.

``pip install aicities`` is the benchmark kit: ``aicities eval`` scores against the release of
the installed version from any folder, so the wheel carries ``release/`` (as built and
checked by ``aicities build --check``) and ``annotations/schema.yaml`` as package data under
``aicities/_data/`` (the label maps are package data already: ``aicities/data/``). They are copied at build
time, not kept twice in the repository. An editable install reads them from the checkout.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
# source in the checkout → place under aicities/_data/ in the wheel
PACKAGE_DATA = {
    "release": "release",
    "annotations/schema.yaml": "schema.yaml",
}


class BuildWithRelease(build_py):
    def run(self) -> None:
        super().run()
        target = Path(self.build_lib) / "aicities" / "_data"
        for source, name in PACKAGE_DATA.items():
            path = HERE / source
            if not path.exists():
                raise SystemExit(f"cannot build the package: {source} is missing")
            dest = target / name
            if path.is_dir():
                shutil.copytree(path, dest, dirs_exist_ok=True)
            else:
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, dest)


setup(cmdclass={"build_py": BuildWithRelease})
