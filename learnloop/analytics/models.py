"""Analytics projections and classes.

The projections are derived from the statements table and can be rebuilt from it at any
time (``learnloop analytics rebuild``). They are kept current on ingest by the LRS's
on-stored hook, in the same transaction as the statements, so a read never scans
statement JSON.

Sums are stored as integers (score in thousandths of a percent, durations in
milliseconds) so that adding and later subtracting a voided statement gives exactly the
value a rebuild computes; floating-point sums would drift in the last bits.

No foreign keys point at the statements or H5P tables: the projections are derived data
keyed by the ids statements carry, and statements may name content this server does not
host (yet).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from learnloop.db import UUID_LENGTH, Base, new_uuid, utcnow

# SQLite only auto-increments an INTEGER PRIMARY KEY; the statement seq is 64-bit elsewhere.
SeqInt = BigInteger().with_variant(Integer(), "sqlite")
LEARNER_ID_LENGTH = 512
CONTENT_ID_LENGTH = 100
QUESTION_ID_LENGTH = 255


class StatementFact(Base):
    """What analytics needs from one stored, non-voided statement about hosted content.

    One row per statement whose object is ``…/h5p/content/{id}`` or one of its
    sub-content activities. Voiding a statement deletes its fact and subtracts it from
    the aggregates below.
    """

    __tablename__ = "analytics_statement_facts"

    seq: Mapped[int] = mapped_column(SeqInt, primary_key=True, autoincrement=False)
    statement_id: Mapped[str] = mapped_column(String(UUID_LENGTH), unique=True)
    learner_id: Mapped[str] = mapped_column(String(LEARNER_ID_LENGTH))
    content_id: Mapped[str] = mapped_column(String(CONTENT_ID_LENGTH))
    # The sub-content id for a question of a compound content; None for the content itself.
    question_id: Mapped[str | None] = mapped_column(String(QUESTION_ID_LENGTH))
    timestamp: Mapped[datetime]
    day: Mapped[date] = mapped_column(Date)
    is_attempt: Mapped[bool] = mapped_column(Boolean)
    is_completion: Mapped[bool] = mapped_column(Boolean)
    is_success: Mapped[bool] = mapped_column(Boolean)
    score_milli: Mapped[int | None] = mapped_column(BigInteger)
    duration_ms: Mapped[int | None] = mapped_column(BigInteger)
    is_answer: Mapped[bool] = mapped_column(Boolean)
    is_correct: Mapped[bool] = mapped_column(Boolean)

    __table_args__ = (
        Index("ix_analytics_statement_facts_learner_content", "learner_id", "content_id"),
    )


class LearnerProgress(Base):
    """One learner × one content item (the reference's progress record, computed for real)."""

    __tablename__ = "analytics_learner_progress"

    learner_id: Mapped[str] = mapped_column(String(LEARNER_ID_LENGTH), primary_key=True)
    content_id: Mapped[str] = mapped_column(String(CONTENT_ID_LENGTH), primary_key=True)
    statements: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    completions: Mapped[int] = mapped_column(Integer, default=0)
    successes: Mapped[int] = mapped_column(Integer, default=0)
    scored: Mapped[int] = mapped_column(Integer, default=0)
    score_sum_milli: Mapped[int] = mapped_column(BigInteger, default=0)
    best_score_milli: Mapped[int | None] = mapped_column(BigInteger, default=None)
    last_score_milli: Mapped[int | None] = mapped_column(BigInteger, default=None)
    last_scored_at: Mapped[datetime | None] = mapped_column(default=None)
    last_scored_seq: Mapped[int | None] = mapped_column(SeqInt, default=None)
    duration_ms: Mapped[int] = mapped_column(BigInteger, default=0)
    first_activity_at: Mapped[datetime]
    last_activity_at: Mapped[datetime]

    __table_args__ = (Index("ix_analytics_learner_progress_content", "content_id", "learner_id"),)

    @property
    def completed(self) -> bool:
        return self.completions > 0

    @property
    def passed(self) -> bool:
        return self.successes > 0


class ContentDay(Base):
    """One content item × one UTC day: counts and integer sums of its statements."""

    __tablename__ = "analytics_content_days"

    content_id: Mapped[str] = mapped_column(String(CONTENT_ID_LENGTH), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    statements: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    completions: Mapped[int] = mapped_column(Integer, default=0)
    successful_completions: Mapped[int] = mapped_column(Integer, default=0)
    scored: Mapped[int] = mapped_column(Integer, default=0)
    score_sum_milli: Mapped[int] = mapped_column(BigInteger, default=0)
    timed: Mapped[int] = mapped_column(Integer, default=0)
    duration_ms: Mapped[int] = mapped_column(BigInteger, default=0)


class LearnerDay(Base):
    """One learner × content × UTC day: statement count (a class's activity heatmap)."""

    __tablename__ = "analytics_learner_days"

    learner_id: Mapped[str] = mapped_column(String(LEARNER_ID_LENGTH), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    content_id: Mapped[str] = mapped_column(String(CONTENT_ID_LENGTH), primary_key=True)
    statements: Mapped[int] = mapped_column(Integer, default=0)


class QuestionLearner(Base):
    """One question (sub-content activity) × one learner: answers and correct answers."""

    __tablename__ = "analytics_question_learners"

    content_id: Mapped[str] = mapped_column(String(CONTENT_ID_LENGTH), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(QUESTION_ID_LENGTH), primary_key=True)
    learner_id: Mapped[str] = mapped_column(String(LEARNER_ID_LENGTH), primary_key=True)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    correct: Mapped[int] = mapped_column(Integer, default=0)


class QuestionStats(Base):
    """One question × all learners; ``learners`` counts learners with at least one answer."""

    __tablename__ = "analytics_question_stats"

    content_id: Mapped[str] = mapped_column(String(CONTENT_ID_LENGTH), primary_key=True)
    question_id: Mapped[str] = mapped_column(String(QUESTION_ID_LENGTH), primary_key=True)
    answered: Mapped[int] = mapped_column(Integer, default=0)
    correct: Mapped[int] = mapped_column(Integer, default=0)
    learners: Mapped[int] = mapped_column(Integer, default=0)


class LearnerClass(Base):
    """A teacher's class: learners (members) and the content assigned to it."""

    __tablename__ = "analytics_classes"

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True, default=new_uuid)
    owner_id: Mapped[str] = mapped_column(
        String(UUID_LENGTH), ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ClassMember(Base):
    __tablename__ = "analytics_class_members"

    class_id: Mapped[str] = mapped_column(
        String(UUID_LENGTH),
        ForeignKey("analytics_classes.id", ondelete="CASCADE"),
        primary_key=True,
    )
    user_id: Mapped[str] = mapped_column(
        String(UUID_LENGTH), ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_analytics_class_members_user", "user_id"),)


class ClassContent(Base):
    __tablename__ = "analytics_class_content"

    class_id: Mapped[str] = mapped_column(
        String(UUID_LENGTH),
        ForeignKey("analytics_classes.id", ondelete="CASCADE"),
        primary_key=True,
    )
    content_id: Mapped[str] = mapped_column(String(CONTENT_ID_LENGTH), primary_key=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the class should have done it; None for no deadline (shown, never enforced).
    due_at: Mapped[datetime | None] = mapped_column(default=None)
