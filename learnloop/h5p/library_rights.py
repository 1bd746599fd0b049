"""Who may install or upgrade H5P libraries (H5P core's ``canUpdateLibraries``).

Library code is shared by every piece of content on the server and runs in every
player, so replacing it is an administrator's right, as in H5P core. A plan may grant
it (feature ``install-libraries``) so a small school can let its teachers install
content types. Everyone else may only import packages whose libraries are installed
already (the same or an older patch, whose copy in the package is ignored).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from sqlalchemy.orm import Session

from learnloop.auth.models import User
from learnloop.h5p.errors import LibraryInstallNotAllowed
from learnloop.h5p.library_validation import LibraryKey, PackageLibrary
from learnloop.plans.plans import INSTALL_LIBRARIES_FEATURE, effective_plan


def may_install_libraries(session: Session, user: User, default_plan: str) -> bool:
    if user.is_admin:
        return True
    plan = effective_plan(session, user.plan_id, default_plan)
    return INSTALL_LIBRARIES_FEATURE in plan.features


def ensure_may_install_libraries(session: Session, user: User, default_plan: str) -> None:
    if not may_install_libraries(session, user, default_plan):
        raise LibraryInstallNotAllowed(
            "Only an admin can install or upgrade H5P libraries "
            f"(or a plan with the '{INSTALL_LIBRARIES_FEATURE}' feature)"
        )


def _describe(library: PackageLibrary, installed_patch: int | None) -> str:
    name, major, minor = library.key
    version = f"{name} {major}.{minor}.{library.patch}"
    if installed_patch is None:
        return f"{version} is not installed"
    return f"{version} would upgrade the installed {major}.{minor}.{installed_patch}"


def refuse_library_changes(
    needed: Sequence[PackageLibrary], installed_patches: Mapping[LibraryKey, int]
) -> None:
    """403 naming every library the package would install or upgrade, if there are any."""
    if not needed:
        return
    described = [_describe(library, installed_patches.get(library.key)) for library in needed]
    raise LibraryInstallNotAllowed(
        "; ".join(described)
        + ". Ask an admin to install or upgrade "
        + ("these libraries" if len(needed) > 1 else "this library")
        + " first; you may then import the package.",
        details={
            "libraries": [
                f"{library.key[0]} {library.key[1]}.{library.key[2]}.{library.patch}"
                for library in needed
            ]
        },
    )
