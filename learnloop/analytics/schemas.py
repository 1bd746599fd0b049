# ruff: noqa: N815 - field names are the reference's camelCase wire names
"""Wire models: the reference's shapes (xapi-and-analytics-api.txt), camelCase as it sends them.

Scores are percentages rounded to two decimals; durations are seconds.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Progress(BaseModel):
    userId: str
    contentId: str
    attempts: int
    bestScore: float
    lastScore: float
    completed: bool
    passed: bool
    totalDuration: float
    lastAttemptAt: str | None = None
    message: str | None = None


class ProgressList(BaseModel):
    progress: list[Progress]


class ContentSummary(BaseModel):
    contentId: str
    totalAttempts: int
    totalCompletions: int
    averageScore: float
    averageDuration: float
    passRate: float
    lastUpdated: str | None = None
    message: str | None = None


class UserSummary(BaseModel):
    userId: str
    totalContentsAttempted: int
    totalContentsCompleted: int
    averageScore: float
    strongAreas: list[str]
    weakAreas: list[str]
    learningTime: float


class ContentScore(BaseModel):
    contentId: str
    title: str
    avgScore: float


class TopicScore(BaseModel):
    topic: str
    avgScore: float
    studentCount: int


class DayActivity(BaseModel):
    date: str
    activityCount: int


class ClassOverview(BaseModel):
    classId: str | None = None
    totalStudents: int
    activeThisWeek: int
    averageCompletionRate: float
    topPerformingContent: list[ContentScore]
    weakestContent: list[ContentScore]
    topTopics: list[TopicScore]
    weakestTopics: list[TopicScore]
    activityHeatmap: list[DayActivity]


class QuestionBreakdown(BaseModel):
    questionId: str
    activityId: str
    answered: int
    correctRate: float
    avgAttempts: float


class ScoreBucket(BaseModel):
    range: str
    students: int


class ContentDetail(BaseModel):
    contentId: str
    title: str
    totalAttempts: int
    uniqueStudents: int
    averageScore: float
    completionRate: float
    averageDuration: float
    questionBreakdown: list[QuestionBreakdown]
    scoreDistribution: list[ScoreBucket]


class StudentTopic(BaseModel):
    topic: str
    score: float


class StudentContent(BaseModel):
    contentId: str
    title: str
    attempts: int
    bestScore: float | None
    lastScore: float | None
    completed: bool
    passed: bool
    totalDuration: float
    lastActivityAt: str


class StudentDetail(BaseModel):
    studentId: str
    displayName: str | None = None
    overallScore: float
    completedActivities: int
    recentActivity: list[dict[str, Any]]
    topicPerformance: list[StudentTopic]
    contents: list[StudentContent]


class ClassIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class ClassMembersIn(BaseModel):
    userIds: list[str] = Field(default_factory=list, max_length=5000)
    emails: list[str] = Field(default_factory=list, max_length=5000)


class ClassContentIn(BaseModel):
    contentIds: list[str] = Field(min_length=1, max_length=1000)


class ClassMember(BaseModel):
    userId: str
    email: str
    displayName: str


class ClassOut(BaseModel):
    id: str
    name: str
    ownerId: str
    memberCount: int
    contentIds: list[str]
    createdAt: str


class ClassDetail(ClassOut):
    members: list[ClassMember]


class RosterResult(BaseModel):
    added: list[str]
    alreadyMembers: list[str]
    # Ids and emails as sent that were not added: unknown, not a learner or deactivated,
    # deliberately not told apart (issue 12 item 7: no account enumeration).
    notAdded: list[str]
