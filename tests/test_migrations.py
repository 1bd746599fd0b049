from pathlib import Path

from sqlalchemy import Engine, inspect, select, text

from learnloop import migrate
from learnloop.db import build_engine
from learnloop.plans.models import Plan
from tests.support.databases import (
    create_fresh_database,
    drop_postgres_database,
    is_postgresql,
    sibling_database_url,
)


def test_an_empty_database_upgrades_to_head_without_drift(
    database_url: str, tmp_path: Path
) -> None:
    url = sibling_database_url(database_url, tmp_path)
    create_fresh_database(url)
    engine = build_engine(url)
    try:
        assert migrate.drift(engine) == []
        tables = set(inspect(engine).get_table_names())
        assert {"users", "plans", "job", "alembic_version"} <= tables
    finally:
        engine.dispose()
        if is_postgresql(url):
            drop_postgres_database(url)


def test_migrations_downgrade_to_base_and_upgrade_again(database_url: str, tmp_path: Path) -> None:
    url = sibling_database_url(database_url, tmp_path)
    create_fresh_database(url)
    engine = build_engine(url)
    try:
        migrate.downgrade(engine, "base")
        assert "users" not in inspect(engine).get_table_names()
        migrate.upgrade(engine)
        assert migrate.drift(engine) == []
    finally:
        engine.dispose()
        if is_postgresql(url):
            drop_postgres_database(url)


def test_migrations_seed_the_free_and_pro_plans(engine: Engine) -> None:
    with engine.connect() as connection:
        plans = {
            row.id: row for row in connection.execute(select(Plan.id, Plan.features, Plan.quotas))
        }
    assert set(plans) >= {"free", "pro"}
    assert plans["free"].features == []
    assert plans["free"].quotas == {"content": 25}
    assert set(plans["pro"].features) == {"analytics-dashboard", "cmi5-launch", "scorm-export"}


def test_sqlite_database_runs_in_wal_mode_with_foreign_keys(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_the_domain_branches_are_merged_into_one_head() -> None:
    # Domains may add revisions on branches of their own; a merge revision joins them
    # before a release, so `alembic upgrade head` works for operators too.
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(migrate.alembic_config()).get_heads()
    assert len(heads) == 1, heads
