"""Sub-content upgrades, as H5P core's content upgrade does them: walking the params with
the new main library's semantics, a library field whose content uses a version that the
field no longer offers is moved to the offered version of the same library (when it is
installed and newer), with that library's own ``upgrades.js``; then its params are
walked with its own semantics, and so on down."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from learnloop.h5p.errors import InvalidLibraryName
from learnloop.h5p.libraries import get_library, library_prefix, parse_ubername
from learnloop.h5p.models import H5PLibrary
from learnloop.h5p.upgrades.engine import run_upgrades
from learnloop.storage import FileStorage, StoredFileNotFound


def upgrades_script(storage: FileStorage, library: H5PLibrary) -> str | None:
    try:
        return storage.get_bytes(f"{library_prefix(library)}/upgrades.js").decode("utf-8")
    except StoredFileNotFound:
        return None


class SubContentUpgrader:
    def __init__(self, session: Session, storage: FileStorage) -> None:
        self.session = session
        self.storage = storage

    def fields(self, value: Any, fields: list[Any]) -> Any:
        if not isinstance(value, dict):
            return value
        by_name = {f["name"]: f for f in fields if isinstance(f, dict) and "name" in f}
        return {
            key: self.value(item, by_name[key]) if key in by_name else item
            for key, item in value.items()
        }

    def value(self, value: Any, semantic: dict[str, Any]) -> Any:
        kind = semantic.get("type")
        if kind == "group":
            fields = [f for f in semantic.get("fields", []) if isinstance(f, dict)]
            if len(fields) == 1:
                # The editor stores a one-field group as its field's value.
                return self.value(value, fields[0])
            return self.fields(value, fields)
        if kind == "list" and isinstance(value, list):
            item = semantic.get("field")
            return [self.value(entry, item) for entry in value] if isinstance(item, dict) else value
        if kind == "library":
            return self.library(value, semantic)
        return value

    def _newer_option(self, name: str, options: list[str]) -> H5PLibrary | None:
        try:
            machine_name, major, minor = parse_ubername(name)
        except InvalidLibraryName:
            return None
        best: H5PLibrary | None = None
        for option in options:
            try:
                key = parse_ubername(option)
            except InvalidLibraryName:
                continue
            if key[0] != machine_name or (key[1], key[2]) <= (major, minor):
                continue
            candidate = get_library(self.session, key)
            if candidate is not None and (
                best is None
                or (candidate.major_version, candidate.minor_version)
                > (best.major_version, best.minor_version)
            ):
                best = candidate
        return best

    def library(self, value: Any, semantic: dict[str, Any]) -> Any:
        if not isinstance(value, dict) or not isinstance(value.get("library"), str):
            return value
        name: str = value["library"]
        options = [o for o in semantic.get("options", []) if isinstance(o, str)]
        upgraded = dict(value)
        if name not in options:
            target = self._newer_option(name, options)
            if target is not None:
                _machine, major, minor = parse_ubername(name)
                script = upgrades_script(self.storage, target)
                if script is not None:
                    metadata = value.get("metadata")
                    old_params = value.get("params")
                    params, extras = run_upgrades(
                        script,
                        target.machine_name,
                        (major, minor),
                        (target.major_version, target.minor_version),
                        old_params if isinstance(old_params, dict) else {},
                        {"metadata": metadata if isinstance(metadata, dict) else {}},
                    )
                    upgraded["params"] = params
                    if isinstance(extras.get("metadata"), dict):
                        upgraded["metadata"] = extras["metadata"]
                upgraded["library"] = name = target.ubername
        try:
            library = get_library(self.session, parse_ubername(name))
        except InvalidLibraryName:
            return upgraded
        if library is not None and isinstance(upgraded.get("params"), dict):
            upgraded["params"] = self.fields(upgraded["params"], library.semantics or [])
        return upgraded
