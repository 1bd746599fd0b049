"""What the admin pages list: installed libraries with how many content items use them
(two queries for all libraries, not one per library)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from learnloop.h5p.libraries import list_libraries
from learnloop.h5p.models import H5PContentLibrary, H5PLibraryDependency


@dataclass(frozen=True)
class InstalledLibrary:
    folder: str
    title: str
    version: str
    runnable: bool
    content_count: int
    required_by_libraries: bool

    @property
    def in_use(self) -> bool:
        return self.content_count > 0 or self.required_by_libraries


def installed_libraries(session: Session) -> list[InstalledLibrary]:
    content_counts: dict[int, int] = {
        library_id: count
        for library_id, count in session.execute(
            select(
                H5PContentLibrary.library_id,
                func.count(func.distinct(H5PContentLibrary.content_id)),
            ).group_by(H5PContentLibrary.library_id)
        )
    }
    required = set(session.scalars(select(H5PLibraryDependency.required_library_id).distinct()))
    return [
        InstalledLibrary(
            folder=f"{library.machine_name}-{library.major_version}.{library.minor_version}",
            title=library.title,
            version=f"{library.major_version}.{library.minor_version}.{library.patch_version}",
            runnable=library.runnable,
            content_count=content_counts.get(library.id, 0),
            required_by_libraries=library.id in required,
        )
        for library in list_libraries(session)
    ]
