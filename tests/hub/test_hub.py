"""A workshop on a real JupyterHub, end to end: the leader's link, two learners, the drop-box.

``mlworkflow link`` makes the nbgitpuller link; learners open it in Chromium, log in, and
nbgitpuller clones the course (over git's smart HTTP, as from GitHub) into their home, where
JupyterLab opens the course map. Both hand in a statement from notebook 08's form; the drop-box
keeps them from listing or reading each other's files; ``mlworkflow collect`` run by the leader
sums both up. Step timings print with ``pytest -s`` and are attached to the report.

    pytest tests/hub -s          # about a minute; needs root (see conftest.py)
    pytest -m "not hub"          # the rest of the suite without it
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from hub.hubkit import ARTIFACTS, Steps, User, run_as, run_cli
from jupyter_ui import (
    _NOTEBOOK_STATE,
    run_all,
    stepper_button,
    wait_for,
    wait_for_stage,
    wait_widgets_rendered,
)

pytestmark = pytest.mark.hub

EXERCISE = "notebooks/08_exercise_define_an_ml_problem.ipynb"
FORM = ".mlw-problem-form"
STATEMENTS = {
    "Learner One": {
        "problem": "Our support team cannot tell which of 2,000 business accounts will cancel; each lost account "
                   "costs about $4,000 a year. Today leads call accounts by gut feel.",
        "outcome": "Cut monthly churn of business accounts from 2.1% to 1.7% within two quarters.",
        "data_sources": "Billing database (plans, cancellations since 2022), product event log, Zendesk tickets.",
    },
    "Learner Two": {
        "problem": "About 18% of patients at our clinics miss appointments without cancelling; schedulers send "
                   "everyone the same reminder and each no-show wastes a clinician slot.",
        "outcome": "Cut no-shows from 18% to 12% within six months.",
        "data_sources": "Appointment records since 2021 in the scheduling system, reminder logs.",
    },
}


# -- in the browser (each function runs in the browser's own thread) ------------------------------
@contextlib.contextmanager
def learner_page(browser: Any, who: str, hub_log: Path) -> Iterator[Any]:
    """A fresh browser context for one learner; on failure, a screenshot, the console and the hub log."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda msg: console.append(f"[{msg.type}] {msg.text}"))
    page.on("pageerror", lambda err: console.append(f"[pageerror] {err}"))
    try:
        yield page
    except BaseException:
        folder = ARTIFACTS / who
        folder.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(Exception):
            page.screenshot(path=str(folder / "screenshot.png"), full_page=True, timeout=10_000)
        (folder / "console.log").write_text(f"last URL: {page.url}\n" + "\n".join(console) + "\n", encoding="utf-8")
        shutil.copy(hub_log, folder / "jupyterhub.log")
        print(f"\n[hub] browser artifacts for {who}: {folder}", file=sys.stderr)
        raise
    finally:
        context.close()


def log_in(page: Any, user: str, password: str) -> None:
    """The hub's login form, as a learner fills it in."""
    page.wait_for_selector("#username_input", timeout=30_000)
    page.fill("#username_input", user)
    page.fill("#password_input", password)
    page.click("#login_submit")


def wait_notebook_open(page: Any, path: str, timeout: float = 90) -> None:
    """Wait until JupyterLab shows ``path`` (relative to the learner's home) with an idle kernel."""

    def ready(state: dict) -> bool:
        if state.get("phase") == "no kernel" and state.get("dialog") and "Select Kernel" in state["dialog"]:
            page.click(".jp-Dialog .jp-mod-accept")
        return state.get("status") == "connected/idle" and not state.get("dialog")

    wait_for(page, _NOTEBOOK_STATE, path, ready, timeout, f"{path} to open with an idle kernel")


def opened_path(link: str) -> str:
    """The notebook a link opens, relative to the learner's home (its ``urlpath`` less ``lab/tree/``)."""
    urlpath = parse_qs(urlsplit(link).query)["urlpath"][0]
    assert urlpath.startswith("lab/tree/"), link
    return urlpath.removeprefix("lab/tree/")


def follow_link(page: Any, link: str, user: User, password: str, steps: Steps) -> None:
    """Open an nbgitpuller link as a logged-out learner: log in, wait for the server, the pull, the notebook."""
    path = opened_path(link)
    with steps(f"{user.name}: open the link, log in"):
        page.goto(link, wait_until="domcontentloaded")
        log_in(page, user.name, password)
    with steps(f"{user.name}: the hub starts the learner's server, or finds it running"):
        page.wait_for_url(re.compile(rf"/user/{user.name}/git-pull\?"), wait_until="commit", timeout=120_000)
    with steps(f"{user.name}: nbgitpuller pulls the course"):
        page.wait_for_url(re.compile(rf"/user/{user.name}/lab/tree/{re.escape(path)}"), wait_until="commit",
                          timeout=120_000)
    with steps(f"{user.name}: JupyterLab opens {Path(path).name}, its kernel idle"):
        wait_notebook_open(page, path)


_KERNEL_SAYS = """(code) => new Promise((resolve, reject) => {
  const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
  const future = kernel.requestExecute({code, silent: false, store_history: false});
  let out = '';
  future.onIOPub = (msg) => { if (msg.header.msg_type === 'stream') out += msg.content.text; };
  future.done.then(() => resolve(out), reject);
})"""


def kernel_facts(page: Any) -> dict:
    """Ask the open notebook's kernel which Python it is and whose process."""
    code = "import json, os, sys; print(json.dumps({'prefix': sys.prefix, 'uid': os.getuid(), 'cwd': os.getcwd()}))"
    return json.loads(page.evaluate(_KERNEL_SAYS, code))


def course_map_journey(browser: Any, link: str, user: User, password: str, steps: Steps, hub_log: Path) -> dict:
    with learner_page(browser, user.name, hub_log) as page:
        follow_link(page, link, user, password, steps)
        with steps(f"{user.name}: course map: run all cells, widgets render"):
            run_all(page)
            wait_widgets_rendered(page)
            first = wait_for_stage(page, 1, "Problem Definition")
        with steps(f"{user.name}: course map: click Next, the stage changes"):
            stepper_button(page, "Next").click()
            second = wait_for_stage(page, 2, "Data Collection and Preparation")
        return {"first": first, "second": second, "kernel": kernel_facts(page)}


# Every text the learner's form shows in its status line from now on (autosave may replace
# "Handed in ..." a moment later, so a poll could miss it).
_WATCH_STATUS = """(form) => {
  const status = [...document.querySelectorAll(form)].pop().querySelector('.mlw-status');
  window.__mlwStatusSeen = [];
  new MutationObserver(() => window.__mlwStatusSeen.push(status.textContent))
    .observe(status, {subtree: true, childList: true, characterData: true});
}"""


def hand_in(page: Any, who: str, statement: dict[str, str], steps: Steps) -> str:
    """Notebook 08 is open: run it, fill in the form, submit; return what the status line said."""
    with steps(f"{who}: notebook 08: run all cells"):
        run_all(page)
        wait_widgets_rendered(page)
    with steps(f"{who}: notebook 08: fill in the form, Submit to the workshop"):
        form = page.locator(FORM).last
        for key, text in statement.items():
            area = form.locator(f".mlw-field-{key} textarea").first
            area.click()
            area.fill(text)
        name = form.locator(".mlw-submit-name input").first
        name.click()
        name.fill(who)
        page.evaluate(_WATCH_STATUS, FORM)
        form.locator("button.mlw-submit-button").first.click()
        seen = wait_for(page, "() => window.__mlwStatusSeen", None,
                        lambda texts: any("Handed in" in t for t in texts), 30, "the form to say it handed in")
        return next(t for t in seen if "Handed in" in t)


def exercise_journey(browser: Any, link: str, user: User, password: str, who: str, steps: Steps,
                     hub_log: Path) -> str:
    """The leader's link to notebook 08: log in, (re)pull, hand in; return the status line the learner reads."""
    with learner_page(browser, user.name, hub_log) as page:
        follow_link(page, link, user, password, steps)
        return hand_in(page, who, STATEMENTS[who], steps)


# -- the tests ---------------------------------------------------------------------------------
def make_link(workshop, *extra: str) -> str:
    done = run_cli(["link", "--hub", workshop.hub.url, "--repo", workshop.git.url, "--branch", "main", *extra])
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def clone_folder(link: str) -> str:
    """Where nbgitpuller clones to, by its own rule: ``targetpath``, else the repository URL's last part."""
    query = parse_qs(urlsplit(link).query)
    return query.get("targetpath", [query["repo"][0].rstrip("/").split("/")[-1]])[0]


def test_the_link_clones_the_course_and_opens_a_working_course_map(browser_thread, workshop, steps):
    learner = workshop.learners[0]
    with steps("mlworkflow link --hub … --repo http://127.0.0.1:…/mlworkflow.git --branch main"):
        link = make_link(workshop)
    assert workshop.git.url.endswith(".git") and parse_qs(urlsplit(link).query)["repo"] == [workshop.git.url], link
    assert opened_path(link).endswith("notebooks/00_course_map.ipynb"), link

    got = browser_thread.run(course_map_journey, link, learner, workshop.password, steps, workshop.hub.log,
                             timeout=420)
    assert got["second"]["imgSrc"] != got["first"]["imgSrc"], "Next did not change the diagram"
    kernel = got["kernel"]  # the notebook ran in this venv's Python, as the learner, in the clone
    assert (kernel["prefix"], kernel["uid"]) == (sys.prefix, learner.uid), kernel

    # The notebook the .git link opened exists after the pull, in the learner's own shallow clone of HEAD.
    clone = learner.home / clone_folder(link)
    notebook = learner.home / opened_path(link)
    assert notebook.is_file(), f"the link opened {notebook}, which does not exist after the pull"
    assert clone in notebook.parents, f"the link opens {notebook}, outside the clone {clone}"
    assert notebook.stat().st_uid == learner.uid, "the clone should belong to the learner"
    assert Path(kernel["cwd"]) == notebook.parent, kernel
    log = run_as(learner, ["git", "-C", str(clone), "log", "--format=%H", "-n", "2"])
    head = subprocess.run(["git", "--git-dir", str(workshop.git.repo), "rev-parse", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()
    assert log.stdout.split() == [head], f"expected a depth-1 clone of {head}: {log.stdout} {log.stderr}"
    assert any("git-upload-pack" in line for line in workshop.git.httpd.requests), "the clone did not use smart HTTP"


def prepare_dropbox(workshop, steps: Steps) -> None:
    """As the leader, before the session: ``mlworkflow collect --prepare DROPBOX``."""
    leader, dropbox = workshop.leader, workshop.dropbox
    with steps(f"{leader.name}: mlworkflow collect --prepare DROPBOX"):
        done = run_as(leader, [sys.executable, "-m", "mlworkflow", "collect", "--prepare", str(dropbox)])
    assert done.returncode == 0, done.stdout + done.stderr
    assert dropbox.is_dir() and dropbox.stat().st_uid == leader.uid, "the drop-box should be the leader's"


_PEEK = """
import json, os, sys
folder, name = sys.argv[1], sys.argv[2]
seen = {}
for what, act in (("list", lambda: os.listdir(folder)),
                  ("read", lambda: open(os.path.join(folder, name), encoding="utf-8").read())):
    try:
        act()
        seen[what] = "allowed"
    except PermissionError:
        seen[what] = "denied"
print(json.dumps(seen))
"""


def test_two_learners_hand_in_and_the_leader_collects(browser_thread, workshop, steps):
    one, two = workshop.learners
    prepare_dropbox(workshop, steps)
    link = make_link(workshop, "--open", EXERCISE)
    assert opened_path(link).endswith(EXERCISE), link

    # Learner 1 has the course already (after the first test): the link pulls again and opens notebook 08.
    # Learner 2 is new: the same link starts their server and clones the course first.
    statuses = [
        browser_thread.run(exercise_journey, link, user, workshop.password, who, steps, workshop.hub.log, timeout=420)
        for user, who in zip((one, two), STATEMENTS, strict=True)
    ]
    files = []
    for status in statuses:
        found = re.search(r"Handed in to the workshop as (\S+\.json)", status)
        assert found, f"the form did not hand in: {status!r}"
        files.append(found.group(1))
    assert files[0].startswith("learner-one-") and files[1].startswith("learner-two-"), files
    for user, name in zip((one, two), files, strict=True):
        assert (workshop.dropbox / name).stat().st_uid == user.uid, f"{name} should belong to {user.name}"

    with steps(f"{two.name}: try to list the drop-box and read learner 1's file"):
        peek = run_as(two, [sys.executable, "-c", _PEEK, str(workshop.dropbox), files[0]])
    assert peek.returncode == 0, peek.stderr
    seen = json.loads(peek.stdout)
    assert seen["list"] == "denied", "a learner can list the drop-box, so sees who handed in what"
    mode = (workshop.dropbox / files[0]).stat().st_mode & 0o777
    assert seen["read"] == "denied", f"learner 2 can read learner 1's {files[0]} (mode {mode:o}) in the drop-box"

    out = workshop.leader_dir / "summary"
    with steps(f"{workshop.leader.name}: mlworkflow collect DROPBOX --out OUT"):
        done = run_as(workshop.leader, [sys.executable, "-m", "mlworkflow", "collect", str(workshop.dropbox),
                                        "--out", str(out)])
    assert done.returncode == 0, done.stdout + done.stderr
    summary = (out / "class-summary.md").read_text(encoding="utf-8")
    assert "**2 statements submitted**" in summary, summary[:500]
    for name in files:  # listed by file, the learner's name hidden ("…-<random part>.json")
        assert name.rsplit("-", 1)[1] in summary, f"{name} is not in the summary"
