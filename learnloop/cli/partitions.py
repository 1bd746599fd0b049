"""``learnloop db partition-statements``: partition the statements table by stored time
(PostgreSQL), keep the coming partitions ready, or show the partitions (``--check``)."""

from __future__ import annotations

from typing import Annotated, NoReturn

import typer
from sqlalchemy import Connection

from learnloop.cli.context import load_settings, open_database
from learnloop.db import utcnow
from learnloop.errors import AppError
from learnloop.xapi.partitioning.catalog import is_partitioned, partition_status, stored_interval
from learnloop.xapi.partitioning.conversion import convert_statements_table
from learnloop.xapi.partitioning.layout import PartitionInterval
from learnloop.xapi.partitioning.tasks import log_report, schedule_partition_job
from learnloop.xapi.partitioning.upcoming import ensure_upcoming_partitions


def partition_statements(
    interval: Annotated[
        PartitionInterval, typer.Option(help="Length of one partition (stored time, UTC)")
    ] = PartitionInterval.MONTH,
    ahead: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=120,
            help="Partitions to create after the current interval "
            "(default: LEARNLOOP_XAPI_STATEMENT_PARTITIONS_AHEAD)",
        ),
    ] = None,
    check: Annotated[
        bool, typer.Option("--check", help="Only show the partitions; change nothing")
    ] = False,
) -> None:
    """Partition xapi_statements by stored time (PostgreSQL; one transaction that locks the
    statements table while it copies them). Run again, it only adds coming partitions."""
    settings = load_settings()
    if settings.is_sqlite:
        _fail(
            "partitioning the statements table needs PostgreSQL; this server uses SQLite, "
            "which has no declarative partitioning (see docs/deployment.md)"
        )
    wanted_ahead = ahead if ahead is not None else settings.xapi_statement_partitions_ahead
    database = open_database(settings)
    try:
        with database.transaction() as session:
            connection = session.connection()
            if check:
                _print_status(connection)
                return
            if not is_partitioned(connection):
                report = convert_statements_table(
                    connection, interval=interval, ahead=wanted_ahead, now=utcnow()
                )
                typer.echo(
                    f"partitioned xapi_statements by stored ({interval.value}): "
                    f"{report.rows} statements in {len(report.partitions)} partitions "
                    f"({report.partitions[0]} … {report.partitions[-1]}) and a default partition"
                )
            elif stored_interval(connection) not in (interval, None):
                _fail(
                    f"the statements table is already partitioned by "
                    f"{stored_interval(connection)}; this version does not change the interval"
                )
            upcoming = ensure_upcoming_partitions(connection, ahead=wanted_ahead, now=utcnow())
            log_report(upcoming)
            schedule_partition_job(session)
            created = ", ".join(upcoming.created) or "none needed"
            typer.echo(f"upcoming partitions created: {created}")
            if upcoming.blocked:
                typer.secho(
                    "not created (the default partition holds statements of their range): "
                    + ", ".join(upcoming.blocked),
                    fg=typer.colors.YELLOW,
                    err=True,
                )
    except AppError as exc:
        _fail(exc.message)
    finally:
        database.engine.dispose()


def _print_status(connection: Connection) -> None:
    status = partition_status(connection)
    if not status.partitioned:
        typer.echo("xapi_statements is not partitioned")
        return
    interval = status.interval.value if status.interval else "unknown"
    typer.echo(f"xapi_statements is partitioned by stored, interval {interval}:")
    for partition in status.partitions:
        typer.echo(f"  {partition.name}\t{partition.bounds}\t~{partition.estimated_rows} rows")
    typer.echo(f"statements in the default partition: {status.default_rows}")


def _fail(message: str) -> NoReturn:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(code=1)
