"""The server's app factory."""

import gc
import logging
from collections.abc import Iterator

import pytest

from learnloop.main import SERVER_GC_THRESHOLDS, create_app_from_env
from learnloop.requestlog import LOGGERS, JsonLineFormatter


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """The factory sets up the process's logging; later tests keep pytest's own."""
    saved = {
        name: (logger.handlers[:], logger.level, logger.propagate)
        for name in LOGGERS
        for logger in [logging.getLogger(name)]
    }
    try:
        yield
    finally:
        for name, (handlers, level, propagate) in saved.items():
            logger = logging.getLogger(name)
            logger.handlers, logger.level, logger.propagate = handlers, level, propagate


def test_the_server_factory_moves_the_startup_heap_out_of_the_collectors_way(
    tmp_path, monkeypatch: pytest.MonkeyPatch, restored_logging: None
) -> None:
    monkeypatch.setenv("LEARNLOOP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LEARNLOOP_DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    thresholds = gc.get_threshold()
    gc.unfreeze()
    try:
        app = create_app_from_env()
        assert app.state.settings.data_dir == tmp_path
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == SERVER_GC_THRESHOLDS
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)


def test_each_server_process_logs_one_json_line_format(
    tmp_path, monkeypatch: pytest.MonkeyPatch, restored_logging: None
) -> None:
    monkeypatch.setenv("LEARNLOOP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("LEARNLOOP_DATABASE_URL", f"sqlite:///{tmp_path / 'app.db'}")
    thresholds = gc.get_threshold()
    try:
        create_app_from_env()
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
    for name in LOGGERS:
        handlers = logging.getLogger(name).handlers
        assert [type(handler.formatter) for handler in handlers] == [JsonLineFormatter], name
