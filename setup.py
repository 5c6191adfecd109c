"""Builds newsim._core through CMake (the one build of the project) for pip.

`pip install --no-build-isolation .` works offline with Debian's packages. Set
NEWSIM_CMAKE_BUILD_DIR to reuse an existing CMake build tree (as `make test` does), so nothing
is compiled twice.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).parent.resolve()


def cmake_version() -> str:
    text = (ROOT / "CMakeLists.txt").read_text()
    return re.search(r"project\(newsim VERSION ([0-9][0-9.]*)", text).group(1)


class CMakeBuild(build_ext):
    def build_extension(self, ext: Extension) -> None:
        target = Path(self.get_ext_fullpath(ext.name)).resolve()
        reuse = os.environ.get("NEWSIM_CMAKE_BUILD_DIR")
        build_dir = Path(reuse) if reuse else Path(self.build_temp).resolve() / "cmake"
        build_dir.mkdir(parents=True, exist_ok=True)
        if not (build_dir / "CMakeCache.txt").exists():
            generator = ["-G", "Ninja"] if shutil.which("ninja") else []
            subprocess.check_call(
                ["cmake", "-S", str(ROOT), "-B", str(build_dir), *generator,
                 "-DCMAKE_BUILD_TYPE=Release", f"-DPython_EXECUTABLE={sys.executable}",
                 "-DNEWSIM_BUILD_TESTS=OFF", "-DNEWSIM_BUILD_PYTHON=ON",
                 f"-DNEWSIM_PY_OUT={build_dir / 'python'}"])
        jobs = str(os.cpu_count() or 1)
        subprocess.check_call(["cmake", "--build", str(build_dir), "--target", "_core", "-j", jobs])
        cache = (build_dir / "CMakeCache.txt").read_text()
        out_dir = Path(re.search(r"^NEWSIM_PY_OUT:PATH=(.*)$", cache, re.M).group(1))
        built = sorted(out_dir.glob("_core*.so"))
        if not built:
            raise RuntimeError(f"CMake built no _core module in {out_dir}")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(built[-1], target)


setup(
    version=cmake_version(),
    ext_modules=[Extension("newsim._core", sources=[])],
    cmdclass={"build_ext": CMakeBuild},
)
