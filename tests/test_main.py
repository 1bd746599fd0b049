"""The server's app factory."""

import gc

import pytest

from learnloop.main import SERVER_GC_THRESHOLDS, create_app_from_env


def test_the_server_factory_moves_the_startup_heap_out_of_the_collectors_way(
    tmp_path, monkeypatch: pytest.MonkeyPatch
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
