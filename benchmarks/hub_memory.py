"""How much memory and CPU one learner needs on a hub: the figures behind the guide's hub sizing.

    python benchmarks/hub_memory.py                   # prints a Markdown table (about 2 minutes)
    python benchmarks/hub_memory.py --json out.json   # also writes the figures as JSON
    python benchmarks/hub_memory.py --no-server       # skip the JupyterLab server

Each course notebook (``notebooks/*.ipynb``) is copied into a temporary folder and run cell by
cell in its own ``python3`` kernel, with ``MLWORKFLOW_HOME`` pointing at a temporary folder, so
no learner's files are read or written. After its last cell the kernel is left running (as a
learner who moves on without shutting it down leaves it) and measured from ``/proc``:

- RSS: resident memory, counting shared libraries in full (what ``top`` shows);
- USS: memory only this kernel holds (private pages): what ending it gives back;
- PSS: private pages plus a fair share of pages shared with other processes;
- peak RSS (VmHWM) and the CPU seconds the kernel used, from start to the end of its last cell.

With every kernel still running, the total PSS and USS of all of them are measured again: the
memory of a learner who leaves every notebook open. Then a JupyterLab server (the single-user
server a hub starts for each learner) is started on a free local port, its page loaded once,
and measured the same way. Linux only (``/proc``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"

__all__ = ["cpu_seconds", "markdown", "measure", "memory"]


def memory(pid: int) -> dict[str, float]:
    """RSS, PSS, USS and peak RSS of ``pid`` in MiB (PSS and USS need ``smaps_rollup``, Linux 4.14+)."""
    out: dict[str, float] = {}
    status = Path(f"/proc/{pid}/status").read_text()
    for line in status.splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            out["rss" if key == "VmRSS" else "peak_rss"] = int(value.split()[0]) / 1024
    rollup = Path(f"/proc/{pid}/smaps_rollup")
    if rollup.exists():
        fields = {}
        for line in rollup.read_text().splitlines()[1:]:
            key, _, value = line.partition(":")
            if value.strip().endswith("kB"):
                fields[key] = int(value.split()[0])
        out["pss"] = fields.get("Pss", 0) / 1024
        out["uss"] = (fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)) / 1024
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` and of its children that have ended (e.g. ``dot``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # after the command name: state is field 3, utime/stime/cutime/cstime are fields 14-17
    ticks = sum(int(fields[i]) for i in range(11, 15))
    return ticks / os.sysconf("SC_CLK_TCK")


def _kernel_pid(client: Any) -> int:
    provisioner = client.km.provisioner
    pid = getattr(provisioner, "pid", None) or provisioner.process.pid
    return int(pid)


def run_notebook(path: Path, workdir: Path) -> tuple[Any, dict[str, Any]]:
    """Run a copy of ``path`` in ``workdir`` and measure its kernel; the kernel is left running."""
    import nbformat
    from nbclient import NotebookClient

    copy = workdir / path.name
    shutil.copy2(path, copy)
    nb = nbformat.read(copy, as_version=4)
    client = NotebookClient(
        nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}
    )
    start = time.perf_counter()
    try:
        client.execute(cleanup_kc=False)  # keep the kernel alive, as a learner who moves on does
    except BaseException:
        client._cleanup_kernel()  # a failed notebook must not leave its kernel behind
        raise
    wall = time.perf_counter() - start
    pid = _kernel_pid(client)
    time.sleep(0.5)  # let the last outputs settle
    row = {"notebook": path.name, "wall_s": wall, "cpu_s": cpu_seconds(pid), **memory(pid)}
    return client, row


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def measure_server(workdir: Path) -> dict[str, Any]:
    """Start a JupyterLab server on ``workdir``, load its page once, and measure it."""
    port, token = _free_port(), "hub-memory-benchmark"
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(workdir / ".runtime"))
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", f"--ServerApp.port={port}",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={workdir}",
           "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # containers often run as root; a hub never does
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        start = time.perf_counter()
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"jupyter lab exited with status {proc.returncode}")
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2).read()
                break
            except OSError:
                if time.perf_counter() - start > 120:
                    raise RuntimeError("jupyter lab did not answer within 120 s") from None
                time.sleep(0.3)
        ready = time.perf_counter() - start
        for page in ("lab", "lab/api/settings", "api/contents", "api/kernelspecs"):
            urllib.request.urlopen(f"{base}/{page}?token={token}", timeout=30).read()
        time.sleep(1)
        return {"process": "JupyterLab server", "ready_s": ready, "cpu_s": cpu_seconds(proc.pid),
                **memory(proc.pid)}
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def measure(names: list[str] | None = None, server: bool = True) -> dict[str, Any]:
    """Every course notebook's kernel, all kernels together, and (optionally) the JupyterLab server."""
    paths = sorted(NOTEBOOKS.glob("*.ipynb"))
    if names:
        paths = [p for p in paths if p.name in names or p.stem in names]
    rows: list[dict[str, Any]] = []
    clients: list[tuple[Any, int]] = []
    with tempfile.TemporaryDirectory(prefix="mlworkflow-hub-memory-") as tmp:
        home, work = Path(tmp) / "home", Path(tmp) / "course"
        home.mkdir()
        work.mkdir()
        old_home = os.environ.get("MLWORKFLOW_HOME")
        os.environ["MLWORKFLOW_HOME"] = str(home)  # the kernels inherit it: no learner's answers are touched
        try:
            for path in paths:
                print(f"… {path.name}", file=sys.stderr, flush=True)
                client, row = run_notebook(path, work)
                clients.append((client, _kernel_pid(client)))
                rows.append(row)
            together = [memory(pid) for _, pid in clients]
            all_kernels = {
                "kernels": len(together),
                "rss": sum(m["rss"] for m in together),
                "pss": sum(m.get("pss", 0.0) for m in together),
                "uss": sum(m.get("uss", 0.0) for m in together),
            }
        finally:
            for client, _ in clients:
                client._cleanup_kernel()
            if old_home is None:
                os.environ.pop("MLWORKFLOW_HOME", None)
            else:
                os.environ["MLWORKFLOW_HOME"] = old_home
        srv = None
        if server:
            print("… JupyterLab server", file=sys.stderr, flush=True)
            srv = measure_server(work)
    return {
        "meta": {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
                 "date": time.strftime("%Y-%m-%d")},
        "kernels": rows,
        "all_kernels_running": all_kernels,
        "server": srv,
    }


def markdown(result: dict[str, Any]) -> str:
    """The measurements as a Markdown table, then the per-learner totals."""
    lines = ["| Process | RSS MiB | PSS MiB | USS MiB | Peak RSS MiB | CPU s | Wall s |",
             "|---|---:|---:|---:|---:|---:|---:|"]

    def row(name: str, m: dict[str, Any], wall: float | None) -> str:
        def f(key: str) -> str:
            return f"{m[key]:.0f}" if key in m else "–"
        w = f"{wall:.1f}" if wall is not None else "–"
        return f"| {name} | {f('rss')} | {f('pss')} | {f('uss')} | {f('peak_rss')} | {m['cpu_s']:.1f} | {w} |"

    for k in result["kernels"]:
        lines.append(row(f"kernel: {k['notebook']}", k, k["wall_s"]))
    srv = result.get("server")
    if srv:
        lines.append(row("JupyterLab server (idle, page loaded)", srv, srv["ready_s"]))
    kernels = result["kernels"]
    together = result["all_kernels_running"]
    cpu = sum(k["cpu_s"] for k in kernels)
    lines += [
        "",
        f"All {together['kernels']} kernels running at once: RSS {together['rss']:.0f} MiB "
        f"(shared libraries counted {together['kernels']} times), PSS {together['pss']:.0f} MiB, "
        f"USS {together['uss']:.0f} MiB.",
        f"Kernel CPU for the whole course, run straight through: {cpu:.0f} s.",
    ]
    if kernels:
        big = max(kernels, key=lambda k: k["rss"])
        small = min(kernels, key=lambda k: k["rss"])
        lines.append(f"Smallest kernel {small['notebook']} {small['rss']:.0f} MiB RSS; "
                     f"largest {big['notebook']} {big['rss']:.0f} MiB RSS (peak {big['peak_rss']:.0f}).")
    if srv and kernels:
        lines.append(
            f"One learner, one kernel at a time: server {srv['rss']:.0f} + largest kernel {big['rss']:.0f} = "
            f"{srv['rss'] + big['rss']:.0f} MiB RSS. Every notebook left open: server {srv['pss']:.0f} + "
            f"kernels {together['pss']:.0f} = {srv['pss'] + together['pss']:.0f} MiB PSS."
        )
    meta = result["meta"]
    lines.append(f"Measured {meta['date']} on {meta['cpus']} CPUs ({meta['machine']}), Python {meta['python']}.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="only these notebooks (file names or stems)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON")
    parser.add_argument("--no-server", action="store_true", help="skip measuring the JupyterLab server")
    args = parser.parse_args(argv)
    if not Path("/proc/self/status").exists():
        print("hub_memory: needs Linux (/proc) to read a process's memory", file=sys.stderr)
        return 1
    result = measure(args.notebooks or None, server=not args.no_server)
    print(markdown(result))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))
        print(f"\nwritten: {args.json}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
