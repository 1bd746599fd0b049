"""``learnloop analytics``: maintain the analytics projections."""

from __future__ import annotations

import time

import typer

from learnloop.analytics.projections import rebuild_projections
from learnloop.cli.context import load_settings, unit_of_work

app = typer.Typer(help="Learner progress and analytics.", no_args_is_help=True)


@app.command("rebuild")
def rebuild() -> None:
    """Recompute every progress projection from the stored statements (one transaction:
    readers see the old projections until it commits)."""
    settings = load_settings()
    started = time.perf_counter()
    with unit_of_work(settings) as session:
        counted = rebuild_projections(session, settings.base_url)
    elapsed = time.perf_counter() - started
    typer.echo(f"rebuilt analytics projections from {counted} statements in {elapsed:.1f}s")
