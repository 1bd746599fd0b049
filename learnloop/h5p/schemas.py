"""Wire models of the content API (field names as in the reference, camelCase)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from learnloop.h5p.models import ContentCurriculum, H5PContent


def _iso(value: datetime) -> str:
    return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")


# h5p.json holds years as numbers or strings, depending on the editor that wrote it.
YearText = Annotated[str, Field(max_length=10)]


class AuthorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(max_length=255)
    role: str = Field(default="Author", max_length=32)


class ChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: str = Field(default="", max_length=64)
    author: str = Field(default="", max_length=255)
    log: str = Field(default="", max_length=5000)


class MetadataIn(BaseModel):
    """h5p.json fields a client may set (H5P's metadata form); the rest (mainLibrary,
    preloadedDependencies …) the server writes itself."""

    model_config = ConfigDict(extra="ignore")

    title: str | None = Field(default=None, min_length=1, max_length=255)
    embedTypes: list[Literal["iframe", "div"]] | None = Field(default=None, max_length=2)  # noqa: N815
    language: str | None = Field(default=None, pattern=r"^[-a-zA-Z]{1,10}$")
    defaultLanguage: str | None = Field(default=None, pattern=r"^[-a-zA-Z]{1,10}$")  # noqa: N815
    license: str | None = Field(default=None, max_length=32)
    licenseVersion: str | None = Field(default=None, max_length=10)  # noqa: N815
    licenseExtras: str | None = Field(default=None, max_length=5000)  # noqa: N815
    authors: list[AuthorIn] | None = Field(default=None, max_length=100)
    changes: list[ChangeIn] | None = Field(default=None, max_length=100)
    source: str | None = Field(default=None, max_length=2048)
    yearFrom: int | YearText | None = None  # noqa: N815
    yearTo: int | YearText | None = None  # noqa: N815
    authorComments: str | None = Field(default=None, max_length=5000)  # noqa: N815
    a11yTitle: str | None = Field(default=None, max_length=255)  # noqa: N815


class ContentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    library: str = Field(min_length=1, max_length=300)
    params: dict[str, Any] | str
    metadata: MetadataIn | None = None
    tempImageFiles: list[str] = Field(default_factory=list, max_length=100)  # noqa: N815


class SavedContentOut(BaseModel):
    contentId: str  # noqa: N815
    metadata: dict[str, Any]


class ContentOut(BaseModel):
    id: str
    title: str
    mainLibrary: str  # noqa: N815
    createdAt: datetime  # noqa: N815
    updatedAt: datetime  # noqa: N815
    embedTypes: list[str]  # noqa: N815

    @field_serializer("createdAt", "updatedAt")
    def _dates(self, value: datetime) -> str:
        return _iso(value)

    @classmethod
    def of(cls, content: H5PContent, main_library: str) -> ContentOut:
        return cls(
            id=content.id,
            title=content.title,
            mainLibrary=main_library,
            createdAt=content.created_at,
            updatedAt=content.updated_at,
            embedTypes=content.embed_types,
        )


class CurriculumIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    frameworkName: str | None = Field(default=None, max_length=200)  # noqa: N815
    stageName: str | None = Field(default=None, max_length=200)  # noqa: N815
    gradeName: str | None = Field(default=None, max_length=200)  # noqa: N815
    subjectName: str | None = Field(default=None, max_length=200)  # noqa: N815
    topicNames: list[str] = Field(default_factory=list, max_length=50)  # noqa: N815
    difficulty: Literal["beginner", "intermediate", "advanced"] | None = None
    language: str | None = Field(default=None, pattern=r"^[-a-zA-Z]{1,32}$")

    def columns(self) -> dict[str, Any]:
        return {
            "framework_name": self.frameworkName,
            "stage_name": self.stageName,
            "grade_name": self.gradeName,
            "subject_name": self.subjectName,
            "topic_names": [topic[:200] for topic in self.topicNames],
            "difficulty": self.difficulty,
            "language": self.language,
        }


class CurriculumOut(BaseModel):
    frameworkName: str | None  # noqa: N815
    stageName: str | None  # noqa: N815
    gradeName: str | None  # noqa: N815
    subjectName: str | None  # noqa: N815
    topicNames: list[str]  # noqa: N815
    difficulty: str | None
    language: str | None

    @classmethod
    def of(cls, row: ContentCurriculum) -> CurriculumOut:
        return cls(
            frameworkName=row.framework_name,
            stageName=row.stage_name,
            gradeName=row.grade_name,
            subjectName=row.subject_name,
            topicNames=list(row.topic_names or []),
            difficulty=row.difficulty,
            language=row.language,
        )


class ContentCurriculumOut(BaseModel):
    contentId: str  # noqa: N815
    curriculum: CurriculumOut | None


class QualityOut(BaseModel):
    overallScore: int | None  # noqa: N815
    bloomsLevel: str | None  # noqa: N815


class ContentListItem(ContentOut):
    contentTypeSlug: str  # noqa: N815
    curriculum: CurriculumOut | None
    # The quality report's summary (learnloop.h5p.quality); null when there is none.
    quality: QualityOut | None = None
    visibility: str
    viewCount: int  # noqa: N815


class EditorDataOut(BaseModel):
    library: str
    params: dict[str, Any]
    metadata: dict[str, Any]


class VisibilityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    visibility: Literal["private", "public"]


class VisibilityOut(BaseModel):
    contentId: str  # noqa: N815
    visibility: str


class ImportOut(BaseModel):
    contentId: str  # noqa: N815
    installedLibraries: int  # noqa: N815


class MediaUploadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    filename: str = Field(min_length=1, max_length=100)
    data: str = Field(min_length=1)
    contentType: str | None = Field(default=None, max_length=100)  # noqa: N815


class MediaUploadOut(BaseModel):
    url: str
    filename: str
    size: int
    contentType: str  # noqa: N815


class MediaAttachIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    contentId: str = Field(min_length=1, max_length=100)  # noqa: N815
    files: list[str] = Field(min_length=1, max_length=100)
    mediaType: Literal["images", "videos", "audios"] = "images"  # noqa: N815


class MediaAttachOut(BaseModel):
    contentId: str  # noqa: N815
    attached: list[str]
    count: int
    mediaType: str  # noqa: N815


class LibraryVersionsOut(BaseModel):
    machineName: str  # noqa: N815
    versions: list[str]
    latestVersion: str  # noqa: N815


class EssentialStatus(BaseModel):
    name: str
    installed: bool


class LibraryUploadOut(BaseModel):
    installed: list[str]
    upgraded: list[str]


class LibraryStatusOut(BaseModel):
    total: int
    installed: int
    ready: bool
    status: list[EssentialStatus]
