"""Wire models of the hub endpoints ("Library Management" in the content API reference)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from learnloop.h5p.hub.cache import ContentTypeState


class Screenshot(BaseModel):
    url: str
    alt: str


class ContentTypeOut(BaseModel):
    id: str
    title: str
    summary: str
    description: str
    icon: str
    screenshots: list[Screenshot]
    majorVersion: int  # noqa: N815
    minorVersion: int  # noqa: N815
    patchVersion: int  # noqa: N815
    version: str
    popularity: int
    isRecommended: bool  # noqa: N815
    installed: bool
    installedVersions: list[str]  # noqa: N815
    updatable: bool

    @classmethod
    def of(cls, state: ContentTypeState) -> ContentTypeOut:
        content_type = state.content_type
        return cls(
            id=content_type.machine_name,
            title=content_type.title,
            summary=content_type.summary,
            description=content_type.description,
            icon=content_type.icon,
            screenshots=[Screenshot(**shot) for shot in content_type.screenshots],
            majorVersion=content_type.major_version,
            minorVersion=content_type.minor_version,
            patchVersion=content_type.patch_version,
            version=content_type.version,
            popularity=content_type.popularity,
            isRecommended=content_type.is_recommended,
            installed=state.installed,
            installedVersions=state.installed_versions,
            updatable=state.updatable,
        )


class HubStateOut(BaseModel):
    url: str
    lastRefreshedAt: str | None  # noqa: N815
    # Why the last refresh failed (hub unreachable …); the list is then the older cache.
    lastError: str | None  # noqa: N815


class ContentTypesOut(BaseModel):
    contentTypes: list[ContentTypeOut]  # noqa: N815
    hub: HubStateOut


class InstallIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    machineName: str = Field(min_length=1, max_length=255)  # noqa: N815


class InstallOut(BaseModel):
    installed: list[str]
    upgraded: list[str]


class EssentialResultOut(BaseModel):
    name: str
    success: bool
    error: str | None = None


class EssentialsOut(BaseModel):
    total: int
    installed: int
    failed: int
    results: list[EssentialResultOut]
    refreshError: str | None = None  # noqa: N815
