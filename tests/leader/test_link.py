"""Tests for the nbgitpuller link that puts the course on a JupyterHub."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from mlworkflow import cli
from mlworkflow.leader.link import binder_badge, binder_link, nbgitpuller_link, parse_repo, repo_folder

REPO = "https://github.com/acme/ml-course"


def _query(link: str) -> dict[str, str]:
    query = parse_qs(urlsplit(link).query, strict_parsing=True)
    assert all(len(v) == 1 for v in query.values())
    return {k: v[0] for k, v in query.items()}


def test_default_link_opens_the_course_map():
    link = nbgitpuller_link("https://hub.example.org", REPO)
    assert link == ("https://hub.example.org/hub/user-redirect/git-pull?"
                    "repo=https%3A%2F%2Fgithub.com%2Facme%2Fml-course&branch=main&targetpath=ml-course"
                    "&urlpath=lab%2Ftree%2Fml-course%2Fnotebooks%2F00_course_map.ipynb")


def test_every_value_is_url_encoded_and_decodes_back():
    link = nbgitpuller_link("https://hub.example.org/", "https://git.example.org/team/My Course.git",
                            branch="workshop/2024 & more", open_path="notebooks/a b+c?.ipynb")
    query = urlsplit(link).query
    for raw in (" ", "&more", "?.", "+c", "/team"):
        assert raw not in query
    assert _query(link) == {
        "repo": "https://git.example.org/team/My Course.git",
        "branch": "workshop/2024 & more",
        "targetpath": "My Course",
        "urlpath": "lab/tree/My Course/notebooks/a b+c?.ipynb",
    }


@pytest.mark.parametrize("hub", [
    "https://hub.example.org", "https://hub.example.org/", "https://hub.example.org/hub",
    "https://hub.example.org/hub/login?next=x", "https://hub.example.org/user/sam/lab/tree/x.ipynb",
])
def test_whatever_the_browser_showed_gives_the_hub_root(hub):
    assert nbgitpuller_link(hub, REPO).startswith("https://hub.example.org/hub/user-redirect/git-pull?")


def test_a_hub_under_a_prefix_keeps_it():
    link = nbgitpuller_link("https://uni.example.edu/jupyter/hub/home", REPO)
    assert link.startswith("https://uni.example.edu/jupyter/hub/user-redirect/git-pull?")


def test_branch_and_target_path():
    q = _query(nbgitpuller_link("https://hub.example.org", REPO + ".git", branch="v2",
                                open_path="/notebooks/08_exercise_define_an_ml_problem.ipynb"))
    assert q["branch"] == "v2"
    assert q["urlpath"] == "lab/tree/ml-course/notebooks/08_exercise_define_an_ml_problem.ipynb"


@pytest.mark.parametrize("repo", [REPO, REPO + ".git", REPO + "/", REPO + ".git/"])
def test_a_dot_git_url_clones_into_the_folder_the_link_opens(repo):
    """nbgitpuller's own default folder keeps ".git" (ml-course.git); the link names the folder, so they agree."""
    q = _query(nbgitpuller_link("https://hub.example.org", repo))
    assert q["repo"] == repo.rstrip("/")
    assert q["targetpath"] == "ml-course"
    assert q["urlpath"].startswith(f"lab/tree/{q['targetpath']}/")


@pytest.mark.parametrize("repo, host", [
    ("git@github.com:acme/ml-course.git", "github.com"),
    ("ssh://git@github.com/acme/ml-course.git", "github.com"),
    ("ssh://git@git.example.org:2222/team/ml-course", "git.example.org"),
    ("git.example.org:team/ml-course.git", "git.example.org"),
])
def test_ssh_addresses_are_kept_as_they_are(repo, host):
    spec = parse_repo(repo)
    assert spec.url == repo and spec.kind == "ssh" and spec.folder == "ml-course"
    assert spec.note and "ssh access" in spec.note and host in spec.note
    q = _query(nbgitpuller_link("https://hub.example.org", repo))
    assert q["repo"] == repo and q["targetpath"] == "ml-course"


def test_file_urls_and_local_folders(tmp_path):
    course = tmp_path / "my course"
    (course / ".git").mkdir(parents=True)
    local = parse_repo(str(course))
    assert local.url == f"file://{course.as_posix().replace(' ', '%20')}" and local.kind == "file"
    assert local.folder == "my course" and "hub" in (local.note or "")
    assert parse_repo("my course", cwd=tmp_path).url == local.url  # a relative folder that exists here
    assert parse_repo("file:///srv/courses/ml-course/").url == "file:///srv/courses/ml-course"
    assert parse_repo("/srv/courses/ml-course/.git").folder == "ml-course"  # a path on the hub, not here
    q = _query(nbgitpuller_link("https://hub.example.org", "file:///srv/courses/ml-course"))
    assert q["repo"] == "file:///srv/courses/ml-course" and q["targetpath"] == "ml-course"
    (tmp_path / "notes").mkdir()
    with pytest.raises(ValueError, match="not a git repository"):
        parse_repo(str(tmp_path / "notes"))
    for bad in ("file://otherhost/srv/x", "file:relative/x", "missing-folder"):
        with pytest.raises(ValueError):
            parse_repo(bad, cwd=tmp_path)


def test_target_names_the_clone_folder():
    q = _query(nbgitpuller_link("https://hub.example.org", REPO + ".git", target="workshops/ml 2024",
                                open_path="notebooks/01_problem_definition.ipynb"))
    assert q["targetpath"] == "workshops/ml 2024"
    assert q["urlpath"] == "lab/tree/workshops/ml 2024/notebooks/01_problem_definition.ipynb"
    for bad in ("", " ", "/home/sam/course", "../elsewhere", "a/../../b", "~/course", ".", "a\\b"):
        with pytest.raises(ValueError):
            nbgitpuller_link("https://hub.example.org", REPO, target=bad)


def test_binder_links():
    assert binder_link(REPO) == ("https://mybinder.org/v2/gh/acme/ml-course/main"
                                 "?urlpath=lab/tree/notebooks/00_course_map.ipynb")
    assert binder_link("git@github.com:acme/ml-course.git", "workshop/may", "notebooks/05_deployment.ipynb") == (
        "https://mybinder.org/v2/gh/acme/ml-course/workshop%2Fmay?urlpath=lab/tree/notebooks/05_deployment.ipynb")
    assert binder_link("https://gitlab.com/acme/ml-course.git") == (
        "https://mybinder.org/v2/git/https%3A%2F%2Fgitlab.com%2Facme%2Fml-course.git/main"
        "?urlpath=lab/tree/notebooks/00_course_map.ipynb")
    assert binder_badge("https://mybinder.org/v2/gh/a/b/main") == (
        "[![Binder](https://mybinder.org/badge_logo.svg)](https://mybinder.org/v2/gh/a/b/main)")
    for bad in ("git@git.example.org:team/c.git", "file:///srv/c", "https://github.com/acme"):
        with pytest.raises(ValueError):
            binder_link(bad)


def test_repo_folder():
    assert repo_folder("git@github.com:acme/ml-course.git") == "ml-course"
    assert repo_folder("https://github.com/acme/ml-course.git") == "ml-course"


@pytest.mark.parametrize("hub, repo, branch, path", [
    ("hub.example.org", REPO, "main", "x.ipynb"),  # no scheme
    ("ftp://hub.example.org", REPO, "main", "x.ipynb"),
    ("https://hub.example.org", "not a url", "main", "x.ipynb"),
    ("https://hub.example.org", "https://github.com", "main", "x.ipynb"),
    ("https://hub.example.org", "ftp://example.org/acme/c", "main", "x.ipynb"),
    ("https://hub.example.org", "git@github.com:", "main", "x.ipynb"),
    ("https://hub.example.org", "", "main", "x.ipynb"),
    ("https://hub.example.org", "https://example.org/.git", "main", "x.ipynb"),
    ("https://hub.example.org", "https://github.com/acme/ml-course/tree/main", "main", "x.ipynb"),  # a page
    ("https://hub.example.org", REPO, " ", "x.ipynb"),
    ("https://hub.example.org", REPO, "main", "../secrets.ipynb"),
    ("https://hub.example.org", REPO, "main", ""),
])
def test_bad_input_is_a_clear_error(hub, repo, branch, path):
    with pytest.raises(ValueError):
        nbgitpuller_link(hub, repo, branch, path)


def test_link_command(capsys, monkeypatch):
    assert cli.main(["link", "--hub", "https://hub.example.org", "--repo", REPO + ".git", "--branch", "dev",
                     "--target", "mlw", "--open", "notebooks/01_problem_definition.ipynb"]) == 0
    out, err = capsys.readouterr()
    q = _query(out.strip())
    assert q["branch"] == "dev" and q["targetpath"] == "mlw"
    assert q["urlpath"] == "lab/tree/mlw/notebooks/01_problem_definition.ipynb" and err == ""
    assert cli.main(["link", "--hub", "nope", "--repo", REPO]) == 1
    assert "not a hub address" in capsys.readouterr().err


def test_link_command_says_what_an_ssh_address_needs(capsys):
    assert cli.main(["link", "--hub", "https://hub.example.org", "--repo", "git@github.com:acme/ml-course.git"]) == 0
    out, err = capsys.readouterr()
    assert _query(out.strip())["repo"] == "git@github.com:acme/ml-course.git"
    assert len(err.strip().splitlines()) == 1 and "ssh access" in err


def test_link_command_binder(capsys):
    assert cli.main(["link", "--binder", "--repo", REPO]) == 0
    url, badge = capsys.readouterr().out.strip().splitlines()
    assert url == "https://mybinder.org/v2/gh/acme/ml-course/main?urlpath=lab/tree/notebooks/00_course_map.ipynb"
    assert badge == f"[![Binder](https://mybinder.org/badge_logo.svg)]({url})"
    assert cli.main(["link", "--binder", "--repo", "https://gitlab.com/acme/ml-course"]) == 0
    out, err = capsys.readouterr()
    assert "/v2/git/https%3A%2F%2Fgitlab.com" in out and "not GitHub" in err
    assert cli.main(["link", "--binder", "--repo", "file:///srv/c"]) == 1
    assert "over https" in capsys.readouterr().err
    assert cli.main(["link", "--binder", "--repo", REPO, "--target", "x"]) == 2
    assert "--target" in capsys.readouterr().err


def test_link_command_without_a_repository_or_a_place(capsys, monkeypatch):
    monkeypatch.setattr("mlworkflow.leader.link.course_repo", lambda: None)  # a plain pip install
    assert cli.main(["link", "--hub", "https://hub.example.org"]) == 2
    err = capsys.readouterr().err
    assert "--repo" in err and "Traceback" not in err
    assert cli.main(["link", "--repo", REPO]) == 2
    assert "--hub" in capsys.readouterr().err
    monkeypatch.setattr("mlworkflow.leader.link.course_repo", lambda: "git@github.com:acme/ml-course.git")
    assert cli.main(["link", "--hub", "https://hub.example.org"]) == 0
    assert "this clone's origin" in capsys.readouterr().err


def test_a_pip_install_is_not_a_clone(tmp_path, monkeypatch):
    import mlworkflow.leader.link as link

    fake = tmp_path / "site-packages" / "mlworkflow" / "leader" / "link.py"
    monkeypatch.setattr(link, "__file__", str(fake))
    assert link.course_repo() is None
