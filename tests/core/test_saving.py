import logging
import warnings

from mlworkflow.core.progress import ProgressError, ProgressWarning
from mlworkflow.core.saving import StoreOutcome, store_call


def test_success_returns_the_value():
    outcome = store_call(lambda: {"saved": True}, "saving your answer")
    assert outcome == StoreOutcome(True, {"saved": True}, [], "")


def test_progress_error_message_is_passed_on_as_is():
    def fail():
        raise ProgressError("Could not save your answers: the disk is full.")

    outcome = store_call(fail, "saving your answer")
    assert not outcome.ok and outcome.value is None
    assert outcome.error == "Could not save your answers: the disk is full."


def test_surprise_becomes_a_plain_sentence_and_is_logged(caplog):
    def fail():
        raise KeyError("internal detail")

    with caplog.at_level(logging.ERROR, logger="mlworkflow"):
        outcome = store_call(fail, "saving your answer")
    assert not outcome.ok
    assert outcome.error == (
        "Something went wrong while saving your answer (KeyError). "
        "Your text is still here; copy it somewhere safe."
    )
    assert "internal detail" not in outcome.error
    assert "saving your answer failed" in caplog.text


def test_progress_warnings_become_notes_other_warnings_do_not():
    def save():
        warnings.warn("Your damaged file was moved aside.", ProgressWarning, stacklevel=1)
        warnings.warn("unrelated", DeprecationWarning, stacklevel=1)
        return 1

    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        outcome = store_call(save, "saving")
    assert outcome.ok and outcome.value == 1
    assert outcome.notes == ["Your damaged file was moved aside."]


def test_a_busy_store_is_marked_so_the_caller_can_retry_later():
    from mlworkflow.core.progress import ProgressBusy

    def busy():
        raise ProgressBusy("Another notebook is saving.")

    outcome = store_call(busy, "saving")
    assert not outcome.ok and outcome.busy and outcome.error == "Another notebook is saving."
    assert not store_call(lambda: (_ for _ in ()).throw(ProgressError("x")), "saving").busy
