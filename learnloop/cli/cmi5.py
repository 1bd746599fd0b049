"""``learnloop cmi5``: import, list and delete cmi5 courses."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from learnloop.auth import users as user_service
from learnloop.cli.context import load_settings, unit_of_work
from learnloop.cmi5.packages import delete_course, get_course, import_course, list_courses
from learnloop.storage import build_storage

app = typer.Typer(help="cmi5 courses.", no_args_is_help=True)


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="cmi5.xml or a course package (.zip)")],
    owner: Annotated[
        str | None, typer.Option(help="Email of the teacher who will own the course")
    ] = None,
) -> None:
    """Validate and import a course; print its id."""
    if not file.is_file():
        typer.secho(f"error: no such file: {file}", fg=typer.colors.RED, err=True)
        raise typer.Exit(code=1)
    settings = load_settings()
    storage = build_storage(settings)
    with unit_of_work(settings) as session:
        owner_user = user_service.get_by_email(session, owner) if owner else None
        imported = import_course(session, storage, file.read_bytes(), owner=owner_user)
        course_id = imported.course.id
        publisher_id = imported.course.publisher_id
    typer.echo(f"{course_id}\t{publisher_id}\taus={imported.au_count}\tfiles={imported.file_count}")


@app.command("list")
def list_command() -> None:
    """Print every imported course: id, publisher id, AU count."""
    settings = load_settings()
    with unit_of_work(settings) as session:
        rows = [
            f"{course.id}\t{course.publisher_id}\taus={course.au_count}"
            for course in list_courses(session, None)
        ]
    for row in rows:
        typer.echo(row)


@app.command("delete")
def delete_command(
    course_id: Annotated[str, typer.Argument(help="The course id (from `cmi5 list`)")],
) -> None:
    """Delete a course with its registrations, then its files."""
    settings = load_settings()
    storage = build_storage(settings)
    with unit_of_work(settings) as session:
        prefix = delete_course(session, get_course(session, course_id))
    # After the commit: the rows go first, then the files.
    removed = storage.delete_prefix(prefix) if prefix else 0
    typer.echo(f"deleted {course_id}\tfiles={removed}")
