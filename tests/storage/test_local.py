"""What only the local-directory store has to defend: symlinks in its root. Everything
else a FileStorage promises is checked on it by the contract suite (test_contract.py)."""

import os
from pathlib import Path

import pytest

from learnloop.storage import InvalidStorageKey, LocalFileStorage


@pytest.fixture
def store(tmp_path: Path) -> LocalFileStorage:
    return LocalFileStorage(tmp_path / "root")


def test_a_symlink_inside_the_root_cannot_lead_outside(
    store: LocalFileStorage, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("secret")
    os.symlink(outside, store.root / "link")
    with pytest.raises(InvalidStorageKey):
        store.get_bytes("link/secret.txt")
    with pytest.raises(InvalidStorageKey):
        store.put_bytes("link/planted.txt", b"x")
    assert not (outside / "planted.txt").exists()


def test_a_symlinked_file_cannot_be_read(store: LocalFileStorage, tmp_path: Path) -> None:
    target = tmp_path / "passwd"
    target.write_text("root:x:0:0")
    os.symlink(target, store.root / "passwd")
    with pytest.raises(InvalidStorageKey):
        store.get_bytes("passwd")
