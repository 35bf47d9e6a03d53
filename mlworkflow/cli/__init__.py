"""The ``mlworkflow`` command: ``start`` the course, check a machine, and run a workshop.

    mlworkflow start                 # copy the notebooks to ./mlworkflow-course and open JupyterLab
    mlworkflow start --no-browser --port 8899
    mlworkflow start --leader        # also copy notebooks/facilitator/ (the class pulse)
    mlworkflow doctor                # is everything a workshop needs here?
    mlworkflow collect FOLDER [--out DIR] [--show-names]   # class summary of the submissions
                                     # (exit status 1 when a file could not be read or none was read)
    mlworkflow link --hub URL [--repo URL] [--branch main] [--open notebooks/00_course_map.ipynb]
    mlworkflow present [--port N] [--no-browser]           # the course map on a projector (Voila)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["lab_command", "main"]

FIRST_NOTEBOOK = "00_course_map.ipynb"
_MARK = {"ok": "ok  ", "warn": "WARN", "fail": "FAIL"}


def lab_command(folder: Path, *, port: int | None = None, no_browser: bool = False,
                extra: Sequence[str] = ()) -> list[str]:
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
    from mlworkflow.cli.workspace import copy_course

    try:
        report = copy_course(args.dir, leader=args.leader)
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
    from mlworkflow.cli.doctor import run_checks

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


def _collect(args: argparse.Namespace) -> int:
    from mlworkflow.leader.collect import CollectError, collect
    from mlworkflow.leader.report import write_summary

    try:
        summary = collect(args.folder)
    except CollectError as exc:
        print(f"mlworkflow: {exc}", file=sys.stderr)
        return 1
    out = Path(args.out) if args.out else Path(args.folder)
    try:
        html_path, md_path = write_summary(summary, out, show_names=args.show_names)
    except OSError as exc:
        print(f"mlworkflow: cannot write the summary into {out}: {exc.strerror or exc}", file=sys.stderr)
        print("Choose another folder with: mlworkflow collect FOLDER --out DIR", file=sys.stderr)
        return 1
    print(summary.text())
    hidden = "" if args.show_names else "\n(names hidden; add --show-names to show them)"
    print(f"\nWrote {html_path}\n  and {md_path}{hidden}")
    if summary.complete:
        return 0
    # The summary is written either way; the exit status and stderr say it is incomplete.
    if summary.unreadable:
        print(f"mlworkflow: {len(summary.unreadable)} file(s) in {args.folder} could not be read, so their "
              "statements are missing from the summary (each is listed above, under 'Could not be read').",
              file=sys.stderr)
    if not summary.submitted:
        print(f"mlworkflow: no statement was read from {args.folder}.", file=sys.stderr)
    return 1


def _link(args: argparse.Namespace) -> int:
    from mlworkflow.leader.link import course_repo, nbgitpuller_link

    repo = args.repo or course_repo()
    if not repo:
        print("mlworkflow: say which repository holds the course: --repo https://github.com/ORG/REPO", file=sys.stderr)
        return 1
    try:
        print(nbgitpuller_link(args.hub, repo, args.branch, args.open))
    except ValueError as exc:
        print(f"mlworkflow: {exc}", file=sys.stderr)
        return 1
    return 0


def _present(args: argparse.Namespace) -> int:
    from mlworkflow.cli.workspace import notebooks_dir
    from mlworkflow.leader.presenter import voila_command, voila_env, voila_installed

    if not voila_installed():
        print("mlworkflow: the presenter view needs Voila: pip install voila", file=sys.stderr)
        return 1
    try:
        folder = Path(args.dir).expanduser() if args.dir else notebooks_dir()
    except FileNotFoundError as exc:
        print(f"mlworkflow: {exc}", file=sys.stderr)
        return 1
    notebook = folder / args.notebook
    if not notebook.is_file():
        print(f"mlworkflow: there is no notebook {notebook}", file=sys.stderr)
        return 1
    cmd = voila_command(notebook, port=args.port, no_browser=args.no_browser, extra=args.voila_args)
    print(f"Presenting {notebook.name} with Voila (press Ctrl+C to stop)…", flush=True)
    env = voila_env()
    if os.name == "posix":
        os.execve(cmd[0], cmd, env)  # Voila takes over this process, so Ctrl+C reaches it directly
    try:
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    from mlworkflow.cli.workspace import DEFAULT_DIR

    parser = argparse.ArgumentParser(prog="mlworkflow",
                                     description="How ML Projects Actually Work: an interactive course.")
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("start", help="copy the course notebooks into a folder and open JupyterLab there")
    start.add_argument("--dir", default=DEFAULT_DIR, help=f"working folder (default: ./{DEFAULT_DIR})")
    start.add_argument("--port", type=int, default=None, help="port for JupyterLab")
    start.add_argument("--no-browser", action="store_true", help="don't open a browser (print the link instead)")
    start.add_argument("--no-lab", action="store_true", help="only copy the notebooks; don't start JupyterLab")
    start.add_argument("--leader", action="store_true", help="also copy the workshop leader's notebooks (facilitator/)")
    start.add_argument("lab_args", nargs=argparse.REMAINDER, help="after --, more options for JupyterLab")
    start.set_defaults(func=_start)
    doctor = sub.add_parser("doctor", help="check that this machine has everything the course needs")
    doctor.add_argument("--dir", default=DEFAULT_DIR, help="the course folder to check")
    doctor.set_defaults(func=_doctor)
    coll = sub.add_parser("collect", help="sum up the exercise submissions in a folder (HTML and Markdown)",
                          description="Sum up the exercise submissions in FOLDER. Exit status 0 when every file "
                                      "was read, 1 when some file could not be read, no statement was read, "
                                      "or the folder or the summary could not be read or written.")
    coll.add_argument("folder", help="the folder learners submitted to")
    coll.add_argument("--out", default=None, help="where to write class-summary.html and .md (default: FOLDER)")
    coll.add_argument("--show-names", action="store_true", help="show learners' names (anonymised by default)")
    coll.set_defaults(func=_collect)
    link = sub.add_parser("link", help="print an nbgitpuller link that puts the course on a JupyterHub")
    link.add_argument("--hub", required=True, help="the hub's address, e.g. https://hub.example.org")
    link.add_argument("--repo", default=None, help="the course repository (default: this clone's origin)")
    link.add_argument("--branch", default="main", help="branch to pull (default: main)")
    link.add_argument("--open", default="notebooks/00_course_map.ipynb", help="notebook to open, inside the repository")
    link.set_defaults(func=_link)
    present = sub.add_parser("present", help="show the course map full-screen for a projector (Voila)")
    present.add_argument("--port", type=int, default=None, help="port for Voila")
    present.add_argument("--no-browser", action="store_true", help="don't open a browser (print the link instead)")
    present.add_argument("--dir", default=None, help="folder of notebooks (default: the course's own)")
    present.add_argument("--notebook", default=FIRST_NOTEBOOK, help=f"notebook to show (default: {FIRST_NOTEBOOK})")
    present.add_argument("voila_args", nargs=argparse.REMAINDER, help="after --, more options for Voila")
    present.set_defaults(func=_present)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    for extra in ("lab_args", "voila_args"):
        if getattr(args, extra, None) and getattr(args, extra)[0] == "--":
            setattr(args, extra, getattr(args, extra)[1:])
    return args.func(args)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
