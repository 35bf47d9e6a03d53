import subprocess
import sys

import pytest

from mlworkflow.core.course import load_course
from mlworkflow.display.navigation import KEYS, StageNavigation


def test_starts_at_a_key_or_index_and_clamps_out_of_range_starts():
    assert StageNavigation(start="deployment").index == 4
    assert StageNavigation(start=2).stage.key == "training"
    assert StageNavigation(start=99).index == 5
    assert StageNavigation(start=-4).index == 0
    with pytest.raises(KeyError, match="no stage called 'testing'"):
        StageNavigation(start="testing")


def test_next_and_previous_stop_at_the_ends():
    nav = StageNavigation()
    assert nav.at_start and not nav.at_end
    assert nav.previous() == 0
    assert [nav.next() for _ in range(7)] == [1, 2, 3, 4, 5, 5, 5]
    assert nav.at_end and not nav.at_start
    assert nav.previous() == 4


def test_setting_index_clamps_to_the_course():
    nav = StageNavigation()
    nav.index = 42
    assert nav.index == nav.total - 1 == 5
    nav.index = -1
    assert nav.index == 0
    assert nav.clamp(3) == 3 and nav.clamp(-7) == 0 and nav.clamp(6) == 5


def test_go_to_by_key_or_index():
    nav = StageNavigation()
    assert nav.go_to("monitoring") == 5 and nav.stage.title == "Monitoring and Maintenance"
    assert nav.go_to(1) == 1 and nav.stage.key == "data"
    with pytest.raises(KeyError):
        nav.go_to(6)
    assert nav.index == 1  # a failed jump leaves you where you were


@pytest.mark.parametrize(
    "start, key, expected",
    [
        (0, "ArrowRight", 1), (2, "ArrowLeft", 1), (2, "n", 3), (2, "p", 1), (3, "Home", 0),
        (1, "End", 5), (0, "4", 3), (5, "1", 0), (5, "ArrowDown", 5), (0, "PageUp", 0),
    ],
)
def test_keyboard_like_moves(start, key, expected):
    nav = StageNavigation(start=start)
    assert nav.press(key) is True
    assert nav.index == expected


@pytest.mark.parametrize("key", ["0", "7", "x", "Enter", ""])
def test_keys_that_mean_nothing_do_nothing(key):
    nav = StageNavigation(start=2)
    assert nav.press(key) is False and nav.index == 2


def test_every_key_names_a_known_move():
    assert set(KEYS.values()) == {"next", "previous", "first", "last"}


def test_position_and_stage_row():
    nav = StageNavigation(start="training")
    assert nav.position == "Stage 3 of 6"
    buttons = nav.buttons()
    assert [b.key for b in buttons] == list(load_course().keys)
    assert [b.current for b in buttons] == [False, False, True, False, False, False]
    assert buttons[0].label == "1 Problem Definition"
    assert buttons[3].tooltip == "Go to stage 4: Model Evaluation"


def test_card_follows_the_current_stage():
    nav = StageNavigation()
    nav.next()
    assert '<h3 class="mlw-card-title">Data Collection and Preparation</h3>' in nav.card_html()
    assert nav.card_text().startswith("Stage 2 of 6: Data Collection and Preparation")


def test_diagram_shows_current_completed_and_loops():
    nav = StageNavigation(start="evaluation", completed=["problem", 1, "training"], show_loops=True)
    d = nav.diagram()
    assert d.current == "evaluation" and d.completed == {"problem", "data", "training"}
    assert "style=dashed" in d.source
    nav.show_loops = False
    nav.go_to("deployment")
    assert nav.diagram().current == "deployment" and "dashed" not in nav.diagram().source


def test_unknown_completed_stage_is_rejected():
    with pytest.raises(KeyError):
        StageNavigation(completed=["testing"])


def test_navigation_needs_no_widgets():
    code = "import sys, mlworkflow.display.navigation; assert 'ipywidgets' not in sys.modules, 'widgets loaded'"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
