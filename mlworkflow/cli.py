"""The ``mlworkflow`` command: ``start`` the course, or check a machine with ``doctor``.

    mlworkflow start                 # copy the notebooks to ./mlworkflow-course and open JupyterLab
    mlworkflow start --no-browser --port 8899
    mlworkflow doctor                # is everything a workshop needs here?
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["main", "lab_command"]

FIRST_NOTEBOOK = "00_course_map.ipynb"
_MARK = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL"}


def lab_command(folder: Path, *, port: int | None = None, no_browser: bool = False, extra: Sequence[str] = ()) -> list[str]:
    """The JupyterLab command line that serves ``folder`` and opens the course map."""
    cmd = [
        sys.executable, "-m", "jupyterlab",
        f"--ServerApp.root_dir={folder}",
        f"--LabApp.default_url=/lab/tree/{FIRST_NOTEBOOK}",
    ]
    if port is not None:
        cmd.append(f"--port={port}")
    if no_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # containers and workshop VMs often run as root
    return cmd + list(extra)


def _start(args: argparse.Namespace) -> int:
    from mlworkflow.workspace import copy_course

    try:
        report = copy_course(args.dir)
    except FileNotFoundError as exc:
        print(f"mlworkflow: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"mlworkflow: cannot set up the course folder {args.dir}: {exc.strerror or exc}", file=sys.stderr)
        print("Choose another folder with: mlworkflow start --dir FOLDER", file=sys.stderr)
        return 1
    print("\n".join(report.lines()), flush=True)
    if args.no_lab:
        return 0
    cmd = lab_command(report.target, port=args.port, no_browser=args.no_browser, extra=args.lab_args)
    print("Starting JupyterLab (press Ctrl+C twice to stop)…", flush=True)
    if os.name == "posix":
        os.execv(cmd[0], cmd)  # JupyterLab takes over this process, so signals reach it directly
    try:
        return subprocess.call(cmd)
    except KeyboardInterrupt:
        return 130


def _doctor(args: argparse.Namespace) -> int:
    from mlworkflow.doctor import run_checks

    checks = run_checks(Path(args.dir))
    print("mlworkflow doctor: checking this machine for the course\n")
    for c in checks:
        print(f"  {_MARK[c.status]}  {c.what}: {c.detail}")
        if c.fix and c.status != "ok":
            print(f"        fix: {c.fix}")
    failed = [c for c in checks if c.status == "fail"]
    warned = [c for c in checks if c.status == "warn"]
    print()
    if failed:
        print(f"{len(failed)} problem(s) would stop a learner. Fix them, then run 'mlworkflow doctor' again.")
        return 1
    if warned:
        print(f"Ready, with {len(warned)} warning(s). Start the course with: mlworkflow start")
    else:
        print("All good. Start the course with: mlworkflow start")
    return 0


def _parser() -> argparse.ArgumentParser:
    from mlworkflow.workspace import DEFAULT_DIR

    parser = argparse.ArgumentParser(prog="mlworkflow", description="How ML Projects Actually Work: an interactive course.")
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("start", help="copy the course notebooks into a folder and open JupyterLab there")
    start.add_argument("--dir", default=DEFAULT_DIR, help=f"working folder (default: ./{DEFAULT_DIR})")
    start.add_argument("--port", type=int, default=None, help="port for JupyterLab")
    start.add_argument("--no-browser", action="store_true", help="don't open a browser (print the link instead)")
    start.add_argument("--no-lab", action="store_true", help="only copy the notebooks; don't start JupyterLab")
    start.add_argument("lab_args", nargs=argparse.REMAINDER, help="after --, more options for JupyterLab")
    start.set_defaults(func=_start)
    doctor = sub.add_parser("doctor", help="check that this machine has everything the course needs")
    doctor.add_argument("--dir", default=DEFAULT_DIR, help="the course folder to check")
    doctor.set_defaults(func=_doctor)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if getattr(args, "lab_args", None) and args.lab_args[0] == "--":
        args.lab_args = args.lab_args[1:]
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
