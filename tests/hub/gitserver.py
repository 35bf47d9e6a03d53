"""The course repository over git's smart HTTP protocol, read-only, on 127.0.0.1: as GitHub serves it.

nbgitpuller clones with ``--depth 1``, which git's "dumb" HTTP protocol (a static file server)
cannot do, so this runs ``git http-backend`` as CGI behind a small threaded HTTP server.

    >>> git = serve_repository(REPO, tmp_path)   # git.url: http://127.0.0.1:PORT/mlworkflow.git
    >>> git.stop()
"""

from __future__ import annotations

import os
import subprocess
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any


class _GitHandler(BaseHTTPRequestHandler):
    """``git http-backend`` as CGI, read-only: the smart protocol GitHub speaks (shallow clones work)."""

    server_version = "mlw-test-git/1"
    project_root = ""

    def do_GET(self) -> None:
        self._backend(b"")

    def do_POST(self) -> None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    self.rfile.readline()
                    break
                body += self.rfile.read(size)
                self.rfile.readline()
            data = bytes(body)
        else:
            data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._backend(data)

    def _backend(self, body: bytes) -> None:
        path, _, query = self.path.partition("?")
        if "git-receive-pack" in path or "git-receive-pack" in query:
            self.send_error(403, "read-only")
            return
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": self.project_root, "GIT_HTTP_EXPORT_ALL": "1",
            "REQUEST_METHOD": self.command, "PATH_INFO": path, "QUERY_STRING": query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""), "CONTENT_LENGTH": str(len(body)),
            "REMOTE_ADDR": self.client_address[0], "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_CONTENT_ENCODING": self.headers.get("Content-Encoding", ""),
            "GIT_PROTOCOL": self.headers.get("Git-Protocol", ""),
        }
        done = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True, timeout=60)
        head, _, payload = done.stdout.partition(b"\r\n\r\n")
        if not _:
            head, _, payload = done.stdout.partition(b"\n\n")
        status, headers = 200, []
        for line in head.decode("latin-1").splitlines():
            key, _, value = line.partition(":")
            if key.lower() == "status":
                status = int(value.split()[0])
            elif key:
                headers.append((key, value.strip()))
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        self.server.requests.append(format % args)  # type: ignore[attr-defined]


@dataclass
class GitServer:
    url: str
    repo: Path
    httpd: ThreadingHTTPServer = field(repr=False)
    thread: threading.Thread = field(repr=False)

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


def serve_repository(source: Path, root: Path, name: str = "mlworkflow.git", branch: str = "main") -> GitServer:
    """A bare clone of ``source`` whose ``branch`` is ``source``'s checked-out commit (whatever branch,
    or none, is checked out there), served read-only at ``http://127.0.0.1:PORT/<name>``."""
    repo = root / name

    def git(*args: str) -> str:
        cmd = ["git", "-c", "safe.directory=*", *args]  # root reading a checkout someone else may own
        return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120).stdout.strip()

    git("clone", "--quiet", "--bare", "--no-hardlinks", str(source), str(repo))
    git("--git-dir", str(repo), "update-ref", f"refs/heads/{branch}", git("-C", str(source), "rev-parse", "HEAD"))
    git("--git-dir", str(repo), "symbolic-ref", "HEAD", f"refs/heads/{branch}")
    handler = type("Handler", (_GitHandler,), {"project_root": str(root)})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.requests = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, name="git-http", daemon=True)
    thread.start()
    return GitServer(f"http://127.0.0.1:{httpd.server_address[1]}/{name}", repo, httpd, thread)
