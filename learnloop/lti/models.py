"""Tables of the LTI 1.3 tool: registered platforms and their deployments, the tool's
signing key, pending logins, used nonces, and the links from platform users and contexts
to LearnLoop users and classes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from learnloop.db import UUID_LENGTH, Base, new_uuid, utcnow


class LtiPlatform(Base):
    """A platform (LMS) registration: LTI Core 1.3 §3.1.3 (issuer + client_id) and the
    endpoints of the OIDC login and the platform's keys (Security Framework §5.1.1)."""

    __tablename__ = "lti_platforms"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True, default=new_uuid)
    issuer: Mapped[str] = mapped_column(String(512))
    client_id: Mapped[str] = mapped_column(String(255))
    auth_login_url: Mapped[str] = mapped_column(String(1024))
    token_url: Mapped[str] = mapped_column(String(1024))
    jwks_url: Mapped[str] = mapped_column(String(1024))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LtiDeployment(Base):
    """A deployment id the platform may launch with (LTI Core 1.3 §5.3.3)."""

    __tablename__ = "lti_deployments"
    __table_args__ = (UniqueConstraint("platform_id", "deployment_id"),)

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True, default=new_uuid)
    platform_id: Mapped[str] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))


class LtiToolKey(Base):
    """LearnLoop's RSA signing key, generated on first use; its public half is the JWKS."""

    __tablename__ = "lti_tool_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    private_key_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LtiLoginState(Base):
    """A login started by the platform and not yet answered with an id_token.

    ``state_hash`` is the SHA-256 of the state value sent to the platform; the row is
    deleted when the launch uses it, so a replayed launch finds nothing."""

    __tablename__ = "lti_login_states"

    state_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    platform_id: Mapped[str] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    nonce: Mapped[str] = mapped_column(String(128))
    target_link_uri: Mapped[str] = mapped_column(String(2048))
    expires_at: Mapped[datetime] = mapped_column(index=True)


class LtiUsedNonce(Base):
    """Nonces of accepted id_tokens, kept until the token would have expired anyway, so
    one id_token is accepted once (Security Framework §5.1.3 step 9)."""

    __tablename__ = "lti_used_nonces"

    platform_id: Mapped[str] = mapped_column(
        ForeignKey("lti_platforms.id", ondelete="CASCADE"), primary_key=True
    )
    nonce: Mapped[str] = mapped_column(String(128), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class LtiUserLink(Base):
    """The LearnLoop user of a platform user (``sub`` is stable per issuer, LTI Core §5.3.6)."""

    __tablename__ = "lti_user_links"
    __table_args__ = (UniqueConstraint("platform_id", "subject"),)

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True, default=new_uuid)
    platform_id: Mapped[str] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))


class LtiContextClass(Base):
    """The LearnLoop class of a platform context (a course, LTI Core §5.4.1)."""

    __tablename__ = "lti_context_classes"
    __table_args__ = (UniqueConstraint("platform_id", "context_id"),)

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True, default=new_uuid)
    platform_id: Mapped[str] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    context_id: Mapped[str] = mapped_column(String(255))
    class_id: Mapped[str] = mapped_column(ForeignKey("analytics_classes.id", ondelete="CASCADE"))
    # Names and Role Provisioning Services 2.0 §2: the context's membership URL, when the
    # platform offers it in launches.
    memberships_url: Mapped[str | None] = mapped_column(String(2048), default=None)


class LtiGradeBinding(Base):
    """Where a learner's score for one content item goes: the line item of the resource
    link they launched (Assignment and Grade Services 2.0 §3.2), and what was posted."""

    __tablename__ = "lti_grade_bindings"
    __table_args__ = (UniqueConstraint("user_id", "lineitem_url"),)

    id: Mapped[str] = mapped_column(String(UUID_LENGTH), primary_key=True, default=new_uuid)
    platform_id: Mapped[str] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    content_id: Mapped[str] = mapped_column(String(100), index=True)
    lineitem_url: Mapped[str] = mapped_column(String(2048))
    # The learner's ``sub`` on the platform: the score's userId (AGS §3.4.2).
    platform_user_id: Mapped[str] = mapped_column(String(255))
    # The best fraction (0..1) posted so far, for the "best attempt" policy.
    best_posted: Mapped[float | None] = mapped_column(Float, default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
