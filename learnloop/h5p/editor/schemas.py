"""Wire models of the editor endpoints (camelCase as in the reference and H5P's editor)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class EditorAjax(BaseModel):
    setFinished: str  # noqa: N815
    contentUserData: str  # noqa: N815


class EditorSettings(BaseModel):
    ajaxPath: str  # noqa: N815
    contentLanguage: str  # noqa: N815
    filesPath: str  # noqa: N815


class EditorIntegration(BaseModel):
    ajaxPath: str  # noqa: N815
    ajax: EditorAjax
    editor: EditorSettings
    contentLanguage: str  # noqa: N815


class EditorModelOut(BaseModel):
    integration: EditorIntegration
    scripts: list[str]
    styles: list[str]
    contentLanguage: str  # noqa: N815


class EditContentModelOut(EditorModelOut):
    library: str
    params: dict[str, Any]
    metadata: dict[str, Any]


class EditableOut(BaseModel):
    editable: bool
    notEditableReason: str | None  # noqa: N815


class LibraryListItemOut(EditableOut):
    machineName: str  # noqa: N815
    majorVersion: int  # noqa: N815
    minorVersion: int  # noqa: N815
    patchVersion: int  # noqa: N815
    uberName: str  # noqa: N815
    title: str
    icon: str | None


class RequestedLibraryOut(EditableOut):
    uberName: str  # noqa: N815
    name: str
    majorVersion: int  # noqa: N815
    minorVersion: int  # noqa: N815
    title: str | None
    installed: bool
    runnable: bool


class LibraryDetailOut(EditableOut):
    uberName: str  # noqa: N815
    name: str
    majorVersion: int  # noqa: N815
    minorVersion: int  # noqa: N815
    title: str
    semantics: list[Any]
    language: str
    languages: list[str]


class UploadedFileOut(BaseModel):
    path: str
    mime: str
    width: int | None = None
    height: int | None = None
    url: str


class LibrariesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    libraries: list[str] = Field(max_length=200)


class LibraryParametersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    library: str = Field(min_length=1, max_length=300)
    params: dict[str, Any]
    metadata: dict[str, Any] = Field(default_factory=dict)


class FilterIn(BaseModel):
    """H5P's editor sends ``libraryParameters`` as a JSON string; an object is fine too."""

    model_config = ConfigDict(extra="forbid")

    libraryParameters: LibraryParametersIn | str  # noqa: N815


class FilteredOut(BaseModel):
    library: str
    params: dict[str, Any]
    metadata: dict[str, Any]
