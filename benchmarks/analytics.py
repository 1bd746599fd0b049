"""Analytics speed at 10k and 1M statements, against scanning the statements table.

A school is generated: teachers with a class of ``CLASS_SIZE`` learners and
``CONTENT_PER_TEACHER`` content items of ``QUESTIONS`` questions each; learners make
attempts over 90 days, each attempt an H5P-like run (an ``attempted``, one ``answered``
per question on its sub-content activity, a scored ``completed`` with a duration), with a
few statements voided. Larger sizes have more classes (a school grows by classes, not
by making one class bigger). Statements are bulk-inserted as rows; the projections are
then built with ``rebuild_projections`` (its time is printed too).

For each analytics endpoint the service function is timed against the same answer
computed by scanning statements (reading their JSON; by the indexed actor column where
the question is about one learner, by the object column otherwise), and both answers are
compared. Every size stays loaded and the sizes are measured in alternation, several
passes, keeping each endpoint's best time (the load of a shared machine drifts while 1M
statements load). Prints per size and the growth from the smallest size to the largest
(target: at most 2x), the projection's speed-up over the scan, and the load average.
On PostgreSQL the statements are loaded with COPY and the database is analyzed before
measuring, as autovacuum would have done.

Run: ``.venv/bin/python -m benchmarks.analytics [--sizes 10000 1000000]`` (SQLite in a
temporary directory, or ``LEARNLOOP_BENCH_DATABASE_URL`` naming a PostgreSQL database
that may be dropped and created).
"""

from __future__ import annotations

import argparse
import os
import random
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Text, bindparam, cast, event, insert, make_url, or_, select, text
from sqlalchemy.orm import Session

from learnloop.analytics.access import Audience, overview_audience, student_audience
from learnloop.analytics.activities import content_activity_id
from learnloop.analytics.class_overview import class_overview
from learnloop.analytics.content_analytics import content_detail, score_distribution
from learnloop.analytics.facts import DayDelta, Fact, ProgressDelta, fact_from_statement
from learnloop.analytics.models import ClassContent, ClassMember, LearnerClass
from learnloop.analytics.progress import all_progress, content_summary, user_summary
from learnloop.analytics.projections import rebuild_projections
from learnloop.analytics.students import student_detail
from learnloop.analytics.units import percent, rate, seconds
from learnloop.auth.models import Role, User
from learnloop.db import Database
from learnloop.h5p.models import ContentCurriculum, ContentOwnership, H5PContent, H5PLibrary
from learnloop.migrate import upgrade
from learnloop.xapi.models import StatementRow

BASE_URL = "https://school.example"
CLASS_SIZE = 30
CONTENT_PER_TEACHER = 8
QUESTIONS = 5
STATEMENTS_PER_CLASS = 5000  # 10k statements = 2 classes; 1M = 200 classes
DAYS = 90
VOID_SHARE = 0.005
VERBS = "http://adlnet.gov/expapi/verbs/"
NOW = datetime.now(UTC).replace(microsecond=0)


# --- generating ---------------------------------------------------------------------------


@dataclass
class School:
    teachers: list[str] = field(default_factory=list)
    classes: list[tuple[str, str, list[str], list[str]]] = field(default_factory=list)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def attempt_statements(
    rng: random.Random, learner: str, content: str, ability: float, moment: datetime
) -> list[dict[str, Any]]:
    activity = content_activity_id(BASE_URL, content)
    actor = {"objectType": "Agent", "account": {"homePage": BASE_URL, "name": learner}}
    context = {"platform": "LearnLoop H5P", "language": "en"}
    statements: list[dict[str, Any]] = [
        {
            "verb": {"id": VERBS + "attempted", "display": {"en-US": "attempted"}},
            "object": {"objectType": "Activity", "id": activity},
        }
    ]
    correct = 0
    for index in range(QUESTIONS):
        right = rng.random() < ability - index * 0.05
        correct += right
        statements.append(
            {
                "verb": {"id": VERBS + "answered", "display": {"en-US": "answered"}},
                "object": {
                    "objectType": "Activity",
                    "id": f"{activity}?subContentId=q{index + 1}",
                    "definition": {"interactionType": "choice"},
                },
                "result": {
                    "success": right,
                    "response": str(rng.randint(0, 3)),
                    "score": {"raw": int(right), "max": 1, "min": 0, "scaled": float(right)},
                },
                "context": {**context, "contextActivities": {"parent": [{"id": activity}]}},
            }
        )
    seconds_spent = rng.randint(40, 900)
    statements.append(
        {
            "verb": {"id": VERBS + "completed", "display": {"en-US": "completed"}},
            "object": {
                "objectType": "Activity",
                "id": activity,
                "definition": {"name": {"en-US": f"Content {content}"}},
            },
            "result": {
                "score": {"raw": correct, "max": QUESTIONS, "min": 0},
                "success": correct / QUESTIONS >= 0.6,
                "completion": True,
                "duration": f"PT{seconds_spent // 60}M{seconds_spent % 60}.5S",
            },
        }
    )
    documents = []
    for offset, body in enumerate(statements):
        documents.append(
            {
                "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "actor": actor,
                "context": context,
                **body,
                "timestamp": stamp(moment + timedelta(seconds=20 * offset)),
                "stored": stamp(moment + timedelta(seconds=20 * offset + 1)),
                "authority": actor,
                "version": "1.0.3",
            }
        )
    return documents


def generate(rng: random.Random, total: int) -> tuple[School, Iterator[list[dict[str, Any]]]]:
    school = School()
    class_count = max(1, total // STATEMENTS_PER_CLASS)
    for c in range(class_count):
        teacher = f"teacher-{c}"
        learners = [f"learner-{c}-{i}" for i in range(CLASS_SIZE)]
        contents = [f"c{c}-{k}" for k in range(CONTENT_PER_TEACHER)]
        school.teachers.append(teacher)
        school.classes.append((f"class-{c}", teacher, learners, contents))
    per_attempt = QUESTIONS + 2

    def batches() -> Iterator[list[dict[str, Any]]]:
        made = 0
        batch: list[dict[str, Any]] = []
        while made < total:
            _, _, learners, contents = rng.choice(school.classes)
            learner = rng.choice(learners)
            ability = 0.35 + (hash(learner) % 60) / 100
            moment = NOW - timedelta(days=rng.random() * DAYS)
            batch.extend(attempt_statements(rng, learner, rng.choice(contents), ability, moment))
            made += per_attempt
            if len(batch) >= 5000:
                yield batch
                batch = []
        if batch:
            yield batch

    return school, batches()


def row_values(document: dict[str, Any], voided: bool) -> dict[str, Any]:
    actor = document["actor"]
    return {
        "statement_id": document["id"],
        "actor_key": f"account:{BASE_URL}|{actor['account']['name']}",
        "actor_account_name": actor["account"]["name"],
        "verb_id": document["verb"]["id"],
        "object_type": "Activity",
        "object_activity_id": document["object"]["id"],
        "object_statement_ref": None,
        "registration": None,
        "timestamp": datetime.fromisoformat(document["timestamp"].replace("Z", "+00:00")),
        "stored": datetime.fromisoformat(document["stored"].replace("Z", "+00:00")),
        "authority_key": f"account:{BASE_URL}|{actor['account']['name']}",
        "voided": voided,
        "version": "1.0.3",
        "statement_json": orjson.dumps(document).decode(),
    }


def load(database: Database, total: int, rng: random.Random) -> School:
    school, batches = generate(rng, total)
    statement = insert(StatementRow).values(statement=bindparam("statement_json", type_=Text))
    for batch in batches:
        rows = [row_values(document, rng.random() < VOID_SHARE) for document in batch]
        with database.transaction() as session:
            if database.is_postgresql:
                copy_statements(session, rows)
            else:
                session.execute(statement, rows)
    with database.transaction() as session:
        seed_content_and_classes(session, school)
    return school


STATEMENT_COLUMNS = (
    "statement_id",
    "actor_key",
    "actor_account_name",
    "verb_id",
    "object_type",
    "object_activity_id",
    "object_statement_ref",
    "registration",
    "timestamp",
    "stored",
    "authority_key",
    "voided",
    "version",
)


def copy_statements(session: Session, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL ``COPY … FROM STDIN`` through psycopg: the same rows as the INSERT, a
    few times faster to load 1M statements. The JSON travels as text, which the jsonb
    column parses as it would the INSERT's parameter."""
    columns = ", ".join((*STATEMENT_COLUMNS, "statement"))
    driver = session.connection().connection.driver_connection
    assert driver is not None
    with (
        driver.cursor() as cursor,
        cursor.copy(f"COPY {StatementRow.__tablename__} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row((*(row[name] for name in STATEMENT_COLUMNS), row["statement_json"]))


def seed_content_and_classes(session: Session, school: School) -> None:
    session.add(
        H5PLibrary(
            machine_name="H5P.QuestionSet",
            major_version=1,
            minor_version=20,
            patch_version=0,
            title="Question Set",
            runnable=True,
        )
    )
    session.flush()
    library_id = session.scalar(select(H5PLibrary.id))
    users: list[dict[str, Any]] = []
    for _class_id, teacher, learners, _ in school.classes:
        users.append(
            {
                "id": teacher,
                "email": f"{teacher}@school.example",
                "display_name": teacher,
                "role": Role.TEACHER.value,
            }
        )
        users.extend(
            {
                "id": learner,
                "email": f"{learner}@school.example",
                "display_name": learner,
                "role": Role.LEARNER.value,
            }
            for learner in learners
        )
    now = datetime.now(UTC)
    for user in users:
        user.update(
            is_active=True,
            created_at=now,
            updated_at=now,
            password_hash=None,
            external_subject=None,
            plan_id=None,
        )
    session.execute(insert(User), users)
    topics = ["Cells", "Genetics", "Algebra", "Fractions", "Grammar", "Poetry", "Maps", "Rome"]
    for class_id, teacher, learners, contents in school.classes:
        for content in contents:
            session.add(H5PContent(id=content, title=f"Quiz {content}", main_library_id=library_id))
        session.flush()
        for index, content in enumerate(contents):
            session.add(ContentOwnership(content_id=content, user_id=teacher))
            session.add(ContentCurriculum(content_id=content, topic_names=[topics[index]]))
        session.add(LearnerClass(id=class_id, owner_id=teacher, name=class_id))
        session.flush()
        for learner in learners:
            session.add(ClassMember(class_id=class_id, user_id=learner))
        for content in contents[:4]:
            session.add(ClassContent(class_id=class_id, content_id=content))
    session.flush()


# --- the same answers by scanning statements ------------------------------------------


def scan_facts(session: Session, condition: Any) -> list[Fact]:
    rows = session.execute(
        select(
            StatementRow.seq, StatementRow.actor_account_name, cast(StatementRow.statement, Text)
        )
        .where(condition, StatementRow.voided.is_(False))
        .order_by(StatementRow.seq)
    )
    facts = []
    for seq, learner, document in rows:
        statement = orjson.loads(document)
        moment = datetime.fromisoformat(statement["timestamp"].replace("Z", "+00:00"))
        fact = fact_from_statement(seq, statement, learner or "", moment)
        if fact is not None:
            facts.append(fact)
    return facts


def about_content(content_ids: list[str]) -> Any:
    iris = [content_activity_id(BASE_URL, c) for c in content_ids]
    return or_(
        StatementRow.object_activity_id.in_(iris),
        *[StatementRow.object_activity_id.like(iri + "?subContentId=%") for iri in iris],
    )


def scan_progress(session: Session, learner: str) -> dict[str, ProgressDelta]:
    progress: dict[str, ProgressDelta] = defaultdict(ProgressDelta)
    for fact in scan_facts(session, StatementRow.actor_account_name == learner):
        progress[fact.content_id].add(fact)
    return progress


def scan_user_summary(session: Session, learner: str) -> tuple[int, int, float, float]:
    progress = scan_progress(session, learner)
    scored = [p.best_score_milli for p in progress.values() if p.best_score_milli is not None]
    return (
        sum(1 for p in progress.values() if p.attempts),
        sum(1 for p in progress.values() if p.completions),
        percent(sum(scored) / len(scored)) if scored else 0.0,
        seconds(sum(p.duration_ms for p in progress.values())),
    )


def scan_content_summary(session: Session, content: str) -> tuple[int, int, float, float]:
    day = DayDelta()
    for fact in scan_facts(session, about_content([content])):
        day.add(fact)
    return (
        day.attempts,
        day.completions,
        percent(day.score_sum_milli / day.scored) if day.scored else 0.0,
        rate(day.successful_completions, day.completions),
    )


def scan_content_detail(session: Session, content: str) -> tuple[int, list[Any], list[Any]]:
    facts = scan_facts(session, about_content([content]))
    best: dict[str, ProgressDelta] = defaultdict(ProgressDelta)
    answers: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    learners: dict[str, set[str]] = defaultdict(set)
    for fact in facts:
        best[fact.learner_id].add(fact)
        if fact.is_answer and fact.question_id:
            answers[fact.question_id][0] += 1
            answers[fact.question_id][1] += fact.is_correct
            learners[fact.question_id].add(fact.learner_id)
    questions = [
        (q, a, rate(c, a), round(a / len(learners[q]), 2)) for q, (a, c) in sorted(answers.items())
    ]
    distribution = score_distribution(
        [p.best_score_milli for p in best.values() if p.best_score_milli is not None]
    )
    return len(best), questions, [b.students for b in distribution]


def scan_class_overview(
    session: Session, contents: list[str], students: set[str] | None
) -> tuple[int, float]:
    progress: dict[tuple[str, str], ProgressDelta] = defaultdict(ProgressDelta)
    for fact in scan_facts(session, about_content(contents)):
        if students is None or fact.learner_id in students:
            progress[(fact.learner_id, fact.content_id)].add(fact)
    completed = sum(1 for p in progress.values() if p.completions)
    return len({learner for learner, _ in progress}), rate(completed, len(progress))


def scan_student(session: Session, learner: str, contents: list[str]) -> tuple[float, int]:
    progress = {c: p for c, p in scan_progress(session, learner).items() if c in set(contents)}
    scored = [p.best_score_milli for p in progress.values() if p.best_score_milli is not None]
    return (
        percent(sum(scored) / len(scored)) if scored else 0.0,
        sum(1 for p in progress.values() if p.completions),
    )


# --- timing -------------------------------------------------------------------------------


def timed(run: Callable[[], Any], rounds: int) -> tuple[float, Any]:
    times = []
    answer = None
    for _ in range(rounds):
        started = time.perf_counter()
        answer = run()
        times.append(time.perf_counter() - started)
    return min(times) * 1000, answer


@dataclass
class Measurement:
    projection_ms: float
    scan_ms: float | None


def measure(
    database: Database, school: School, rounds: int, *, scan: bool
) -> dict[str, Measurement]:
    """Time each endpoint's service function; with ``scan``, also compute its answer by
    scanning statements and check that both agree (the data does not change between
    passes, so one checked pass per size covers the others)."""
    class_id, teacher, learners, contents = school.classes[0]
    learner = learners[3]
    content = contents[2]
    results: dict[str, Measurement] = {}
    with database.session() as session:
        teacher_user = session.get(User, teacher)
        assert teacher_user is not None

        def compare(
            name: str,
            fast: Callable[[], Any],
            slow: Callable[[], Any],
            same: Callable[[Any, Any], bool],
        ) -> None:
            fast_ms, fast_answer = timed(fast, rounds)
            if not scan:
                results[name] = Measurement(fast_ms, None)
                return
            slow_ms, slow_answer = timed(slow, 3)
            assert same(fast_answer, slow_answer), (name, fast_answer, slow_answer)
            results[name] = Measurement(fast_ms, slow_ms)

        compare(
            "GET /api/xapi/progress",
            lambda: all_progress(session, learner),
            lambda: scan_progress(session, learner),
            lambda f, s: (
                {(p.contentId, p.attempts, p.bestScore) for p in f}
                == {(c, p.attempts, percent(p.best_score_milli)) for c, p in s.items()}
            ),
        )
        compare(
            "GET /api/xapi/analytics/user",
            lambda: user_summary(session, learner),
            lambda: scan_user_summary(session, learner),
            lambda f, s: (
                (f.totalContentsAttempted, f.totalContentsCompleted, f.averageScore, f.learningTime)
                == s
            ),
        )
        compare(
            "GET /api/xapi/analytics/content/:id",
            lambda: content_summary(session, content),
            lambda: scan_content_summary(session, content),
            lambda f, s: (f.totalAttempts, f.totalCompletions, f.averageScore, f.passRate) == s,
        )
        compare(
            "GET /api/analytics/content/:id",
            lambda: content_detail(session, BASE_URL, content),
            lambda: scan_content_detail(session, content),
            lambda f, s: (
                (
                    f.uniqueStudents,
                    [
                        (q.questionId, q.answered, q.correctRate, q.avgAttempts)
                        for q in f.questionBreakdown
                    ],
                    [b.students for b in f.scoreDistribution],
                )
                == (s[0], s[1], s[2])
            ),
        )
        default = overview_audience(session, teacher_user, None)
        compare(
            "GET /api/analytics/class-overview",
            lambda: class_overview(session, default),
            lambda: scan_class_overview(session, sorted(default.content_ids or ()), None),
            lambda f, s: (f.totalStudents, f.averageCompletionRate) == s,
        )
        in_class = overview_audience(session, teacher_user, class_id)
        compare(
            "GET /api/analytics/class-overview?classId",
            lambda: class_overview(session, in_class),
            lambda: scan_class_overview(
                session, sorted(in_class.content_ids or ()), set(in_class.students or ())
            ),
            lambda f, s: (f.averageCompletionRate,) == (s[1],),
        )
        student: Audience = student_audience(session, teacher_user, learner, None)
        compare(
            "GET /api/analytics/student/:id",
            lambda: student_detail(session, learner, student),
            lambda: scan_student(session, learner, sorted(student.content_ids or ())),
            lambda f, s: (f.overallScore, f.completedActivities) == s,
        )
    return results


def sqlite_bulk_settings(database: Database) -> None:
    """A 1 GB page cache and no fsync on commit for the benchmark's own database: the
    default 2 MB cache makes a 1M-row load rewrite the WAL many times over on a slow
    disk. Both the projections and the scans run with the same settings."""

    @event.listens_for(database.engine, "connect")
    def _pragmas(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA cache_size=-1000000")
        cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()


def fresh_postgresql(url: str) -> None:
    """Drop and create the benchmark's PostgreSQL database (each size gets a schema)."""
    admin = Database.from_url(url.rsplit("/", 1)[0] + "/postgres")
    name = url.rsplit("/", 1)[1]
    with admin.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        c.execute(text(f'CREATE DATABASE "{name}"'))
    admin.engine.dispose()


def fresh_database(url: str | None, directory: Path, size: int) -> Database:
    """An empty, migrated database for one size. Every size stays loaded until the end
    (a file each on SQLite, a schema each in one PostgreSQL database), so that the sizes
    can be measured in alternation: on a shared machine the load changes over the
    minutes a 1M load takes, and measuring 10k before loading 1M and 1M after would
    compare two different machines."""
    if url is None:
        database = Database.from_url(f"sqlite:///{directory / f'analytics-{size}.db'}")
        sqlite_bulk_settings(database)
    else:
        schema = f"analytics_{size}"
        with Database.from_url(url).engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        # Every connection of this engine finds (and creates) its tables in the schema.
        in_schema = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
        database = Database.from_url(in_schema.render_as_string(hide_password=False))
    upgrade(database.engine)
    return database


def analyze(database: Database) -> None:
    """PostgreSQL plans from table statistics, which autovacuum gathers after bulk
    changes on a default server; with autovacuum off (as on some shared machines) a
    freshly loaded table has none, the planner guesses, and small lookups become
    sequential scans that grow with the table. Gather them as autovacuum would."""
    if database.is_postgresql:
        with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(text("ANALYZE"))


def load_average() -> str:
    return "load average " + ", ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument(
        "--passes", type=int, default=3, help="measure every size this many times, alternating"
    )
    args = parser.parse_args()
    url = os.environ.get("LEARNLOOP_BENCH_DATABASE_URL")
    print(f"start: {load_average()}")
    if url is not None:
        fresh_postgresql(url)
    loaded_sizes: dict[int, tuple[Database, School]] = {}
    passes: dict[int, list[dict[str, Measurement]]] = defaultdict(list)
    with tempfile.TemporaryDirectory() as directory:
        for size in args.sizes:
            database = fresh_database(url, Path(directory), size)
            rng = random.Random(size)
            started = time.perf_counter()
            school = load(database, size, rng)
            loaded = time.perf_counter() - started
            started = time.perf_counter()
            with database.transaction() as session:
                counted = rebuild_projections(session, BASE_URL, chunk=5000)
            rebuilt = time.perf_counter() - started
            analyze(database)
            print(
                f"{size:>9,} statements ({len(school.classes)} classes): generated and inserted "
                f"in {loaded:.1f}s; projections rebuilt from {counted:,} in {rebuilt:.1f}s "
                f"({counted / rebuilt:,.0f} statements/s); {load_average()}"
            )
            loaded_sizes[size] = (database, school)
        for index in range(args.passes):
            for size, (database, school) in loaded_sizes.items():
                passes[size].append(measure(database, school, args.rounds, scan=index == 0))
            print(f"pass {index + 1} of {args.passes} measured: {load_average()}")
        for database, _ in loaded_sizes.values():
            database.engine.dispose()
    report("PostgreSQL" if url else "SQLite", passes)


def report(backend: str, passes: dict[int, list[dict[str, Measurement]]]) -> None:
    sizes = sorted(passes)
    small, large = sizes[0], sizes[-1]
    names = list(passes[small][0])
    # Best over the passes for the projection; the scan ran in the first pass only.
    best = {
        size: {name: min(run[name].projection_ms for run in passes[size]) for name in names}
        for size in sizes
    }
    scans = {size: {name: passes[size][0][name].scan_ms or 0.0 for name in names} for size in sizes}
    print(f"\n{backend}: best-of-N ms per call (projection | scan of statements)")
    header = f"{'endpoint':<44}" + "".join(
        f"{f'{size:,} proj':>16}{f'{size:,} scan':>16}" for size in sizes
    )
    print(header + f"{'growth':>9}{'speed-up':>10}")
    for name in names:
        cells = "".join(f"{best[size][name]:>16.2f}{scans[size][name]:>16.2f}" for size in sizes)
        growth = best[large][name] / best[small][name]
        speedup = scans[large][name] / best[large][name]
        print(f"{name:<44}{cells}{growth:>8.2f}x{speedup:>9.1f}x")


if __name__ == "__main__":
    main()
