"""Build hook: the reply reader (``mailflow/mail_in/replies``) compiled to C with mypyc.

Everything else about the package is in pyproject.toml. The reader is the one hot path that is our
own Python (every reply is read line by line, clause by clause); mypyc compiles those modules, typed
as they already are for mypy, to C extensions, which read a reply in about three quarters of the time
(see README, "Performance"). The Python sources stay in the package and are the same code.

When the compiler is GCC and the project's written replies are beside this file (tests/probe_cases, tests/replies/train,
tests/messages), the build is profile-guided, as CPython's own release builds are: the reader is built once to count
what it does, reads those replies (scripts/reader_training.py), and is built again laid out for what it counted
(about a tenth faster, README "Performance"). ``MAILFLOW_PGO=0`` builds it once, unguided.

``MAILFLOW_COMPILE`` decides:

- unset: compile a regular install (``pip install .``, the Docker image) when this machine has a C
  compiler and Python's headers, and install pure Python when it has not; an editable install
  (``pip install -e .``, what scripts/test uses) stays pure Python, so an edit takes effect at once;
- ``1``: compile, and fail the install when that cannot be done (the Docker image's build);
- ``0``: pure Python.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

READER = Path("mailflow", "mail_in", "replies")
# Stay Python: reply.py, whose values (Reply, Attachment, Bounce) cross to the daemon from the reader process
# as pickles, which a compiled frozen dataclass cannot be; largebodies.py, which decodes a large attachment
# straight from the raw bytes and, compiled, held 4.6 MB more at the peak of an 18.5 MB one (bench memory:
# 77.8 MB over idle against 73.2) for no time the parse measure could see.
PYTHON_ONLY = ("reply.py", "largebodies.py")


def _compiler() -> str:
    """The C compiler's command, as setuptools will run it."""
    return (os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc").split()[0]


def _can_compile() -> bool:
    headers = Path(sysconfig.get_paths()["include"], "Python.h")
    return shutil.which(_compiler()) is not None and headers.is_file()


def _wanted() -> bool:
    mode = os.environ.get("MAILFLOW_COMPILE", "").strip()
    if mode not in ("", "0", "1"):
        sys.exit(f"setup.py: MAILFLOW_COMPILE={mode!r}: expected 1 (compile), 0 (pure Python) or unset (auto)")
    # only a command that builds the package compiles (not egg_info, which pip runs first to ask for
    # requirements, nor an editable install)
    builds = any(arg in ("bdist_wheel", "build", "build_ext", "install") for arg in sys.argv)
    if not builds or any(arg in ("editable_wheel", "develop") for arg in sys.argv):
        return False
    return mode == "1" if mode else _can_compile()


REQUIRED = os.environ.get("MAILFLOW_COMPILE", "").strip() == "1"
HERE = Path(__file__).resolve().parent
TRAINING = HERE / "scripts" / "reader_training.py"
WRITTEN_REPLIES = tuple(HERE / "tests" / name for name in ("probe_cases", "replies/train", "messages"))


def _extensions() -> list[object]:
    if not _wanted():
        return []
    sources = sorted(str(path) for path in READER.rglob("*.py") if path.name not in PYTHON_ONLY)
    try:
        from mypyc.build import mypycify

        # mypy reads pyproject.toml's [tool.mypy] (scripts/lint checks the reader with the same); its
        # overrides name modules outside the reader, which mypyc would count as an error.
        return list(mypycify(["--no-warn-unused-configs", *sources], opt_level="3", multi_file=True,
                             group_name="mailflow_replies"))
    except (Exception, SystemExit) as exc:      # mypyc reports what it cannot compile with SystemExit
        if REQUIRED:
            raise
        sys.stderr.write(f"setup.py: the reply reader is installed as Python (mypyc: {exc!r})\n")
        return []


class _BuildExt(build_ext):
    """Compile the generated C files on every core (mypyc's multi_file output is several files); when
    compiling was not asked for (MAILFLOW_COMPILE unset) and fails, install Python rather than fail."""

    def finalize_options(self) -> None:
        super().finalize_options()
        if not getattr(self, "parallel", None):     # (-j given on the command line wins)
            self.parallel = os.cpu_count() or 1

    def run(self) -> None:
        try:
            if self._guided():
                self._run_guided()
            else:
                super().run()
        except Exception as exc:
            if REQUIRED:
                raise
            sys.stderr.write(f"setup.py: the reply reader is installed as Python (compiling failed: {exc})\n")
            for extension in self.extensions:       # no half-built reader: every module is Python, or none
                Path(self.get_ext_fullpath(extension.name)).unlink(missing_ok=True)
            self.distribution.ext_modules = []

    def _guided(self) -> bool:
        """Build profile-guided: asked for (not MAILFLOW_PGO=0), GCC's flags, and the training replies present."""
        mode = os.environ.get("MAILFLOW_PGO", "").strip()
        if mode not in ("", "0", "1"):
            sys.exit(f"setup.py: MAILFLOW_PGO={mode!r}: expected 0 (build once, unguided) or 1/unset (guided)")
        if mode == "0" or not self.extensions or self.inplace:
            return False
        try:
            version = subprocess.run([_compiler(), "--version"], capture_output=True, text=True, timeout=30).stdout
        except (OSError, subprocess.SubprocessError):
            return False
        present = TRAINING.is_file() and any(folder.is_dir() for folder in WRITTEN_REPLIES)
        if "Free Software Foundation" not in version or not present:
            sys.stderr.write("setup.py: the reply reader is compiled unguided (profile-guided needs GCC and "
                             "tests/probe_cases beside setup.py)\n")
            return False
        return True

    def _run_guided(self) -> None:
        """Build counting, train on the written replies, build again from the counts (in a directory of our own)."""
        flags = {ext.name: (list(ext.extra_compile_args), list(ext.extra_link_args)) for ext in self.extensions}
        profiles = tempfile.mkdtemp(prefix="mailflow-pgo-")
        compiler = self.compiler            # (run() replaces the compiler's name with the compiler it made)
        try:
            self._with_flags(flags, [f"-fprofile-generate={profiles}"], [f"-fprofile-generate={profiles}"])
            super().run()
            env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, (os.path.abspath(self.build_lib),
                                                                            os.environ.get("PYTHONPATH"))))}
            folders = [str(folder) for folder in WRITTEN_REPLIES if folder.is_dir()]
            subprocess.run([sys.executable, str(TRAINING), *folders], env=env, check=True, timeout=1800)
            # (a function whose counts do not fit, as lib-rt's when its path changed, is built unguided, not refused)
            self._with_flags(flags, [f"-fprofile-use={profiles}", "-fprofile-correction", "-Wno-missing-profile",
                                     "-Wno-coverage-mismatch"], [])
            self.force = True               # every object again, not only those older than their sources
            self.compiler = compiler
            super().run()
        finally:
            shutil.rmtree(profiles, ignore_errors=True)

    def _with_flags(self, flags: dict[str, tuple[list[str], list[str]]], compile_args: list[str],
                    link_args: list[str]) -> None:
        for ext in self.extensions:
            base_compile, base_link = flags[ext.name]
            ext.extra_compile_args = [*base_compile, *compile_args]
            ext.extra_link_args = [*base_link, *link_args]


setup(ext_modules=_extensions(), cmdclass={"build_ext": _BuildExt})
