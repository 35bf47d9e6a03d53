"""Tests for the nbgitpuller link that puts the course on a JupyterHub."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from mlworkflow import cli
from mlworkflow.leader.link import https_repo, nbgitpuller_link, repo_folder

REPO = "https://github.com/acme/ml-course"


def _query(link: str) -> dict[str, str]:
    query = parse_qs(urlsplit(link).query, strict_parsing=True)
    assert all(len(v) == 1 for v in query.values())
    return {k: v[0] for k, v in query.items()}


def test_default_link_opens_the_course_map():
    link = nbgitpuller_link("https://hub.example.org", REPO)
    assert link == ("https://hub.example.org/hub/user-redirect/git-pull?"
                    "repo=https%3A%2F%2Fgithub.com%2Facme%2Fml-course&branch=main"
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


def test_ssh_remotes_become_https():
    assert https_repo("git@github.com:acme/ml-course.git") == "https://github.com/acme/ml-course.git"
    assert https_repo("ssh://git@github.com/acme/ml-course.git") == "https://github.com/acme/ml-course.git"
    assert repo_folder("git@github.com:acme/ml-course.git") == "ml-course"


@pytest.mark.parametrize("hub, repo, branch, path", [
    ("hub.example.org", REPO, "main", "x.ipynb"),  # no scheme
    ("ftp://hub.example.org", REPO, "main", "x.ipynb"),
    ("https://hub.example.org", "not a url", "main", "x.ipynb"),
    ("https://hub.example.org", "https://github.com", "main", "x.ipynb"),
    ("https://hub.example.org", REPO, " ", "x.ipynb"),
    ("https://hub.example.org", REPO, "main", "../secrets.ipynb"),
    ("https://hub.example.org", REPO, "main", ""),
])
def test_bad_input_is_a_clear_error(hub, repo, branch, path):
    with pytest.raises(ValueError):
        nbgitpuller_link(hub, repo, branch, path)


def test_link_command(capsys, monkeypatch):
    assert cli.main(["link", "--hub", "https://hub.example.org", "--repo", REPO, "--branch", "dev",
                     "--open", "notebooks/01_problem_definition.ipynb"]) == 0
    q = _query(capsys.readouterr().out.strip())
    assert q["branch"] == "dev" and q["urlpath"] == "lab/tree/ml-course/notebooks/01_problem_definition.ipynb"
    assert cli.main(["link", "--hub", "nope", "--repo", REPO]) == 1
    assert "not a hub address" in capsys.readouterr().err
    monkeypatch.setattr("mlworkflow.leader.link.course_repo", lambda: None)
    assert cli.main(["link", "--hub", "https://hub.example.org"]) == 1
    assert "--repo" in capsys.readouterr().err
