"""The ``mlworkflow`` command: ``start`` the course, check a machine, and run a workshop.

    mlworkflow start                 # copy the notebooks to ./mlworkflow-course and open JupyterLab
    mlworkflow start --no-browser --port 8899
    mlworkflow start --leader        # also copy the leader's class pulse into FOLDER/facilitator/
    mlworkflow doctor                # is everything a workshop needs here?
    mlworkflow collect FOLDER [--out DIR] [--show-names]   # class summary of the submissions
                                     # (exit status 1 when a file could not be read or none was read)
    mlworkflow collect --prepare FOLDER [--group GROUP]    # once: a drop-box learners hand in to
    mlworkflow link --hub URL [--repo URL] [--branch main] [--target FOLDER] [--open notebooks/00_course_map.ipynb]
    mlworkflow link --binder [--repo https://github.com/ORG/REPO] [--branch main]   # mybinder.org link and badge
    mlworkflow present [--port N] [--no-browser] [--notebook NB]  # the course on a projector, a stage a screen
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["LAB_CONFIG", "lab_command", "lab_env", "main"]

FIRST_NOTEBOOK = "00_course_map.ipynb"
# Jupyter config folder whose labconfig/default_setting_overrides.json turns off JupyterLab's
# "Would you like to get notified about official Jupyter news?" pop-up and its update check
# (@jupyterlab/apputils-extension:notification fetchNews "false", checkForUpdates false).
# Defaults only: a learner who changes them in Settings keeps their choice.
LAB_CONFIG = Path(__file__).resolve().parent / "jupyter_config"
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


def lab_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) with :data:`LAB_CONFIG` on ``JUPYTER_CONFIG_PATH``.

    It goes last, so a config folder the user or the system names wins where both set something.
    """
    env = dict(os.environ if base is None else base)
    paths = [p for p in env.get("JUPYTER_CONFIG_PATH", "").split(os.pathsep) if p and p != str(LAB_CONFIG)]
    paths.append(str(LAB_CONFIG))
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(paths)
    return env


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
    env = lab_env()
    if os.name == "posix":
        os.execve(cmd[0], cmd, env)  # JupyterLab takes over this process, so signals reach it directly
    try:
        return subprocess.call(cmd, env=env)
    except KeyboardInterrupt:
        return 130


def _doctor(args: argparse.Namespace) -> int:
    from mlworkflow.cli.doctor import run_checks

    # said first: starting the Python kernel takes a few seconds
    print("mlworkflow doctor: checking this machine for the course (it starts a Python kernel)\n", flush=True)
    hub = True if args.hub else None  # None: check nbgitpuller when running inside a JupyterHub
    submit_dir = Path(args.submit_dir) if args.submit_dir else None
    checks = run_checks(Path(args.dir), present=args.present, hub=hub, submit_dir=submit_dir)
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


def _prepare(args: argparse.Namespace) -> int:
    from mlworkflow.leader.dropbox import DropboxError, prepare_dropbox

    if args.folder is not None or args.out is not None or args.show_names:
        print("mlworkflow: --prepare only sets up the folder; collect from it afterwards with: "
              "mlworkflow collect FOLDER", file=sys.stderr)
        return 2
    try:
        box = prepare_dropbox(args.prepare, group=args.group)
    except DropboxError as exc:
        print(f"mlworkflow: {exc}", file=sys.stderr)
        return 1
    print(box.instructions())
    return 0


def _collect(args: argparse.Namespace) -> int:
    from mlworkflow.leader.collect import CollectError, collect
    from mlworkflow.leader.report import write_summary

    if args.prepare is not None:
        return _prepare(args)
    if args.group is not None or args.folder is None:
        print("mlworkflow: say which folder to collect: mlworkflow collect FOLDER "
              "(or set one up first with: mlworkflow collect --prepare FOLDER [--group GROUP])", file=sys.stderr)
        return 2
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
    print(summary.text(show_names=args.show_names))
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
    from mlworkflow.leader.link import binder_badge, binder_link, course_repo, nbgitpuller_link, parse_repo

    if not args.hub and not args.binder:
        print("mlworkflow: say where learners will open the course: --hub https://hub.example.org "
              "(your JupyterHub) or --binder (mybinder.org)", file=sys.stderr)
        return 2
    if args.target is not None and not args.hub:
        print("mlworkflow: --target names the folder on a JupyterHub; it goes with --hub, not --binder",
              file=sys.stderr)
        return 2
    repo = args.repo or course_repo()
    if not repo:
        print("mlworkflow: this copy of the course is not a git clone, so say which repository holds the course: "
              "--repo https://github.com/ORG/REPO (or an ssh address, or a folder with a git repository)",
              file=sys.stderr)
        return 2
    try:
        spec = parse_repo(repo)
        lines = [nbgitpuller_link(args.hub, repo, args.branch, args.open, args.target)] if args.hub else []
        if args.binder:
            url = binder_link(repo, args.branch, args.open)
            lines += [url, binder_badge(url)]
    except ValueError as exc:
        print(f"mlworkflow: {exc}", file=sys.stderr)
        return 1
    if not args.repo:
        print(f"note: using this clone's origin, {repo} (choose another with --repo)", file=sys.stderr)
    if spec.note and args.hub:  # what the hub's accounts need (Binder either fetches it or says why not)
        print(spec.note, file=sys.stderr)
    if args.binder and not spec.on_github:
        print(f"note: {spec.host} is not GitHub, so the Binder link uses BinderHub's generic git form "
              "(v2/git/<URL-encoded repository>/BRANCH); the repository must be public", file=sys.stderr)
    print("\n".join(lines))
    return 0


def _present(args: argparse.Namespace) -> int:
    from mlworkflow.cli.workspace import notebooks_dir
    from mlworkflow.leader.presenter import slideshow_notebook, voila_command, voila_env, voila_installed

    if not voila_installed():
        print(f"mlworkflow: the presenter view needs Voila: \"{sys.executable}\" -m pip install voila", file=sys.stderr)
        return 1
    if args.dir is None and args.notebook is None:
        notebook, what = slideshow_notebook(), "the course slides (arrow keys or Next to move)"
    else:
        try:
            folder = Path(args.dir).expanduser() if args.dir else notebooks_dir()
        except FileNotFoundError as exc:
            print(f"mlworkflow: {exc}", file=sys.stderr)
            return 1
        notebook = folder / (args.notebook or FIRST_NOTEBOOK)
        what = notebook.name
        if not notebook.is_file():
            print(f"mlworkflow: there is no notebook {notebook}", file=sys.stderr)
            return 1
    cmd = voila_command(notebook, port=args.port, no_browser=args.no_browser, extra=args.voila_args)
    print(f"Presenting {what} with Voila (press Ctrl+C to stop)…", flush=True)
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
    start.add_argument("--leader", action="store_true", help="also copy the workshop leader's notebooks "
                       "(the class pulse) into facilitator/")
    start.add_argument("lab_args", nargs=argparse.REMAINDER, help="after --, more options for JupyterLab")
    start.set_defaults(func=_start)
    doctor = sub.add_parser("doctor", help="check that this machine has everything the course needs")
    doctor.add_argument("--dir", default=DEFAULT_DIR, help="the course folder to check")
    doctor.add_argument("--present", action="store_true",
                        help="also require Voila, for 'mlworkflow present' (the projector view)")
    doctor.add_argument("--hub", action="store_true",
                        help="also check nbgitpuller, as a JupyterHub image needs (automatic inside a hub)")
    doctor.add_argument("--submit-dir", default=None, metavar="FOLDER",
                        help="check that learners can hand exercises in to FOLDER "
                             "(default: $MLWORKFLOW_SUBMIT_DIR, when set)")
    doctor.set_defaults(func=_doctor)
    coll = sub.add_parser("collect", help="sum up the exercise submissions in a folder (HTML and Markdown)",
                          description="Sum up the exercise submissions in FOLDER. Exit status 0 when every file "
                                      "was read, 1 when some file could not be read, no statement was read, "
                                      "or the folder or the summary could not be read or written. "
                                      "With --prepare FOLDER, set up a drop-box instead (0 when it is ready, "
                                      "1 when it could not be made safe).")
    coll.add_argument("folder", nargs="?", default=None, help="the folder learners submitted to")
    coll.add_argument("--prepare", default=None, metavar="FOLDER",
                      help="instead, set up FOLDER as a drop-box (run once, before the session): learners can hand "
                           "in but not list it or read each other's files; you read them all")
    coll.add_argument("--group", default=None,
                      help="with --prepare: the group that may read hand-ins, one you are in and learners are not "
                           "(default: your own primary group)")
    coll.add_argument("--out", default=None, help="where to write class-summary.html and .md (default: FOLDER)")
    coll.add_argument("--show-names", action="store_true", help="show learners' names (anonymised by default)")
    coll.set_defaults(func=_collect)
    link = sub.add_parser("link", help="print a link that puts the course on a JupyterHub (nbgitpuller) or Binder",
                          description="Print an nbgitpuller link for a JupyterHub (--hub) and/or a mybinder.org link "
                                      "with its Markdown badge (--binder). Notes go to stderr, links to stdout.")
    link.add_argument("--hub", default=None, help="the hub's address, e.g. https://hub.example.org")
    link.add_argument("--binder", action="store_true", help="print a mybinder.org link and a Markdown badge")
    link.add_argument("--repo", default=None,
                      help="the course repository: https URL (with or without .git), ssh address, file:// URL or "
                           "folder (default: this clone's origin)")
    link.add_argument("--branch", default="main", help="branch to pull (default: main)")
    link.add_argument("--target", default=None, metavar="FOLDER",
                      help="folder in each learner's home to clone into (default: the repository's name, without .git)")
    link.add_argument("--open", default="notebooks/00_course_map.ipynb", help="notebook to open, inside the repository")
    link.set_defaults(func=_link)
    present = sub.add_parser("present", help="show the course on a projector, one stage per screen (Voila)")
    present.add_argument("--port", type=int, default=None, help="port for Voila")
    present.add_argument("--no-browser", action="store_true", help="don't open a browser (print the link instead)")
    present.add_argument("--notebook", default=None,
                         help="show this course notebook instead of the slides (e.g. 00_course_map.ipynb)")
    present.add_argument("--dir", default=None,
                         help=f"folder the notebook is in (default: the course's own; notebook: {FIRST_NOTEBOOK})")
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
