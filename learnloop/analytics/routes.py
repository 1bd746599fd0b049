"""Progress and analytics endpoints: the reference's paths (xapi-and-analytics-api.txt,
"xAPI Progress Endpoints", "xAPI Content & User Analytics", "Analytics Dashboard
Endpoints") plus classes. Handlers resolve who may see what (``access``), call one
service, and answer JSON in the reference envelope or CSV."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from learnloop.analytics import classes as class_service
from learnloop.analytics.access import (
    ensure_content_visible,
    overview_audience,
    student_audience,
    teacher_content_ids,
)
from learnloop.analytics.class_overview import class_overview
from learnloop.analytics.content_analytics import content_detail
from learnloop.analytics.csv_export import csv_response, model_rows
from learnloop.analytics.dependencies import RosterText, WantsCsv
from learnloop.analytics.progress import (
    all_progress,
    content_id_from,
    content_summary,
    learner_progress,
    user_summary,
)
from learnloop.analytics.schemas import (
    ClassContentIn,
    ClassDetail,
    ClassIn,
    ClassMembersIn,
    ClassOut,
    ClassOverview,
    ContentDetail,
    ContentSummary,
    Progress,
    ProgressList,
    RosterResult,
    StudentDetail,
    UserSummary,
)
from learnloop.analytics.students import student_detail
from learnloop.auth.dependencies import CurrentUser
from learnloop.auth.models import User
from learnloop.deps import SessionDep, SettingsDep
from learnloop.envelope import Envelope, MessageOnly, ok
from learnloop.errors import Forbidden
from learnloop.plans.dependencies import RequireAnalyticsDashboard

xapi_router = APIRouter(prefix="/api/xapi", tags=["progress"])
router = APIRouter(prefix="/api/analytics", tags=["analytics"])

ContentIdPath = Annotated[str, Path(min_length=1, max_length=2048)]
ClassIdQuery = Annotated[str | None, Query(alias="classId", max_length=36)]

PROGRESS_COLUMNS = (
    "userId",
    "contentId",
    "attempts",
    "bestScore",
    "lastScore",
    "completed",
    "passed",
    "totalDuration",
    "lastAttemptAt",
)


# --- the learner's own progress (reference: JWT, no feature gate) -------------------------


@xapi_router.get("/progress/{content_id:path}", response_model=Envelope[Progress])
def get_progress(
    content_id: ContentIdPath, user: CurrentUser, session: SessionDep, as_csv: WantsCsv
) -> Any:
    progress = learner_progress(session, user.id, content_id_from(content_id))
    if as_csv:
        return csv_response("progress", PROGRESS_COLUMNS, [progress.model_dump()])
    return ok(progress)


@xapi_router.get("/progress", response_model=Envelope[ProgressList])
def list_progress(user: CurrentUser, session: SessionDep, as_csv: WantsCsv) -> Any:
    progress = all_progress(session, user.id)
    if as_csv:
        return csv_response("progress", PROGRESS_COLUMNS, model_rows(progress))
    return ok(ProgressList(progress=progress))


@xapi_router.get("/analytics/content/{content_id:path}", response_model=Envelope[ContentSummary])
def get_content_summary(
    content_id: ContentIdPath, user: CurrentUser, session: SessionDep, as_csv: WantsCsv
) -> Any:
    # Aggregates of everyone's results are analytics: only for who may see the content's
    # analytics (its owner, admins; issue 12 item 13), not any signed-in user.
    content = content_id_from(content_id)
    ensure_content_visible(session, user, content)
    summary = content_summary(session, content)
    if as_csv:
        return csv_response(
            "content-summary", list(ContentSummary.model_fields), [summary.model_dump()]
        )
    return ok(summary)


@xapi_router.get("/analytics/user", response_model=Envelope[UserSummary])
def get_user_summary(user: CurrentUser, session: SessionDep, as_csv: WantsCsv) -> Any:
    summary = user_summary(session, user.id)
    if as_csv:
        return csv_response("user-summary", list(UserSummary.model_fields), [summary.model_dump()])
    return ok(summary)


# --- the teacher dashboard (feature analytics-dashboard) ---------------------------------

OverviewTable = Literal["heatmap", "topContent", "weakestContent", "topTopics", "weakestTopics"]


@router.get("/class-overview", response_model=Envelope[ClassOverview])
def get_class_overview(
    user: RequireAnalyticsDashboard,
    session: SessionDep,
    as_csv: WantsCsv,
    class_id: ClassIdQuery = None,
    table: OverviewTable = "heatmap",
) -> Any:
    overview = class_overview(session, overview_audience(session, user, class_id))
    if as_csv:
        return overview_csv(overview, table)
    return ok(overview)


def overview_csv(overview: ClassOverview, table: str) -> Response:
    if table == "heatmap":
        return csv_response(
            "activity-heatmap", ("date", "activityCount"), model_rows(overview.activityHeatmap)
        )
    if table in ("topContent", "weakestContent"):
        rows = overview.topPerformingContent if table == "topContent" else overview.weakestContent
        return csv_response(table, ("contentId", "title", "avgScore"), model_rows(rows))
    rows_t = overview.topTopics if table == "topTopics" else overview.weakestTopics
    return csv_response(table, ("topic", "avgScore", "studentCount"), model_rows(rows_t))


@router.get("/content/{content_id:path}", response_model=Envelope[ContentDetail])
def get_content_detail(
    content_id: ContentIdPath,
    user: RequireAnalyticsDashboard,
    session: SessionDep,
    settings: SettingsDep,
    as_csv: WantsCsv,
    table: Literal["questions", "distribution"] = "questions",
) -> Any:
    content = content_id_from(content_id)
    ensure_content_visible(session, user, content)
    detail = content_detail(session, settings.base_url, content)
    if as_csv:
        if table == "distribution":
            return csv_response(
                "score-distribution", ("range", "students"), model_rows(detail.scoreDistribution)
            )
        return csv_response(
            "questions",
            ("questionId", "activityId", "answered", "correctRate", "avgAttempts"),
            model_rows(detail.questionBreakdown),
        )
    return ok(detail)


@router.get("/student/{student_id}", response_model=Envelope[StudentDetail])
def get_student(
    student_id: Annotated[str, Path(min_length=1, max_length=512)],
    user: RequireAnalyticsDashboard,
    session: SessionDep,
    as_csv: WantsCsv,
    class_id: ClassIdQuery = None,
    table: Literal["contents", "topics", "recent"] = "contents",
) -> Any:
    audience = student_audience(session, user, student_id, class_id)
    detail = student_detail(session, student_id, audience)
    if as_csv:
        return student_csv(detail, table)
    return ok(detail)


def student_csv(detail: StudentDetail, table: str) -> Response:
    if table == "topics":
        return csv_response("topics", ("topic", "score"), model_rows(detail.topicPerformance))
    if table == "recent":
        rows = [
            {
                "id": statement.get("id"),
                "timestamp": statement.get("timestamp"),
                "verb": (statement.get("verb") or {}).get("id"),
                "object": (statement.get("object") or {}).get("id"),
                "scaled": ((statement.get("result") or {}).get("score") or {}).get("scaled"),
                "success": (statement.get("result") or {}).get("success"),
                "completion": (statement.get("result") or {}).get("completion"),
            }
            for statement in detail.recentActivity
        ]
        recent = ("id", "timestamp", "verb", "object", "scaled", "success", "completion")
        return csv_response("recent-activity", recent, rows)
    columns = (
        "contentId",
        "title",
        "attempts",
        "bestScore",
        "lastScore",
        "completed",
        "passed",
        "totalDuration",
        "lastActivityAt",
    )
    return csv_response("student-content", columns, model_rows(detail.contents))


# --- classes -----------------------------------------------------------------------------

CLASS_COLUMNS = ("id", "name", "ownerId", "memberCount", "contentIds", "createdAt")


@router.get("/classes", response_model=Envelope[list[ClassOut]])
def list_classes(user: RequireAnalyticsDashboard, session: SessionDep, as_csv: WantsCsv) -> Any:
    classes = [
        class_service.class_out(session, c) for c in class_service.list_classes(session, user)
    ]
    if as_csv:
        return csv_response("classes", CLASS_COLUMNS, model_rows(classes))
    return ok(classes)


@router.post("/classes", status_code=201, response_model=Envelope[ClassOut])
def create_class(body: ClassIn, user: RequireAnalyticsDashboard, session: SessionDep) -> Any:
    _require_teacher(user)
    created = class_service.create_class(session, user, body.name)
    return ok(class_service.class_out(session, created))


@router.get("/classes/{class_id}", response_model=Envelope[ClassDetail])
def get_class(
    class_id: str, user: RequireAnalyticsDashboard, session: SessionDep, as_csv: WantsCsv
) -> Any:
    detail = class_service.class_detail(session, class_service.get_class(session, user, class_id))
    if as_csv:
        return csv_response(
            "class-members", ("userId", "email", "displayName"), model_rows(detail.members)
        )
    return ok(detail)


@router.patch("/classes/{class_id}", response_model=Envelope[ClassOut])
def rename_class(
    class_id: str, body: ClassIn, user: RequireAnalyticsDashboard, session: SessionDep
) -> Any:
    learner_class = class_service.get_class(session, user, class_id)
    class_service.rename_class(session, learner_class, body.name)
    return ok(class_service.class_out(session, learner_class))


@router.delete("/classes/{class_id}", response_model=MessageOnly)
def delete_class(class_id: str, user: RequireAnalyticsDashboard, session: SessionDep) -> Any:
    class_service.delete_class(session, class_service.get_class(session, user, class_id))
    return MessageOnly(message="Class deleted")


@router.post("/classes/{class_id}/members", response_model=Envelope[RosterResult])
def add_members(
    class_id: str, body: ClassMembersIn, user: RequireAnalyticsDashboard, session: SessionDep
) -> Any:
    learner_class = class_service.get_class(session, user, class_id)
    return ok(class_service.add_members(session, learner_class, body.userIds, body.emails))


@router.post("/classes/{class_id}/roster", response_model=Envelope[RosterResult])
def upload_roster(
    class_id: str, roster: RosterText, user: RequireAnalyticsDashboard, session: SessionDep
) -> Any:
    learner_class = class_service.get_class(session, user, class_id)
    emails = class_service.roster_emails(roster)
    return ok(class_service.add_members(session, learner_class, [], emails))


@router.delete("/classes/{class_id}/members/{user_id}", response_model=MessageOnly)
def remove_member(
    class_id: str, user_id: str, user: RequireAnalyticsDashboard, session: SessionDep
) -> Any:
    learner_class = class_service.get_class(session, user, class_id)
    class_service.remove_member(session, learner_class, user_id)
    return MessageOnly(message="Member removed")


@router.post("/classes/{class_id}/content", response_model=Envelope[ClassOut])
def assign_content(
    class_id: str, body: ClassContentIn, user: RequireAnalyticsDashboard, session: SessionDep
) -> Any:
    learner_class = class_service.get_class(session, user, class_id)
    visible = teacher_content_ids(session, user.id)
    class_service.assign_content(session, user, learner_class, body.contentIds, visible)
    return ok(class_service.class_out(session, learner_class))


@router.delete("/classes/{class_id}/content/{content_id}", response_model=MessageOnly)
def unassign_content(
    class_id: str, content_id: str, user: RequireAnalyticsDashboard, session: SessionDep
) -> Any:
    learner_class = class_service.get_class(session, user, class_id)
    class_service.unassign_content(session, learner_class, content_id)
    return MessageOnly(message="Content removed from class")


def _require_teacher(user: User) -> None:
    if not user.is_teacher:
        raise Forbidden("Teacher role required")
