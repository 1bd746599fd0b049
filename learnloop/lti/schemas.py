"""Wire models of the LTI admin API and the tool configuration."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from learnloop.lti.models import LtiPlatform

URL_FIELD = Field(min_length=1, max_length=1024)


class PlatformIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    issuer: str = Field(min_length=1, max_length=512)
    clientId: str = Field(min_length=1, max_length=255)  # noqa: N815
    authLoginUrl: str = URL_FIELD  # noqa: N815
    tokenUrl: str = URL_FIELD  # noqa: N815
    jwksUrl: str = URL_FIELD  # noqa: N815
    deploymentIds: list[str] = Field(default_factory=list, max_length=100)  # noqa: N815


class DeploymentsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    deploymentIds: list[str] = Field(min_length=1, max_length=100)  # noqa: N815


class PlatformOut(BaseModel):
    id: str
    issuer: str
    clientId: str  # noqa: N815
    authLoginUrl: str  # noqa: N815
    tokenUrl: str  # noqa: N815
    jwksUrl: str  # noqa: N815
    deploymentIds: list[str]  # noqa: N815
    createdAt: datetime  # noqa: N815

    @classmethod
    def of(cls, platform: LtiPlatform, deployment_ids: list[str]) -> PlatformOut:
        return cls(
            id=platform.id,
            issuer=platform.issuer,
            clientId=platform.client_id,
            authLoginUrl=platform.auth_login_url,
            tokenUrl=platform.token_url,
            jwksUrl=platform.jwks_url,
            deploymentIds=deployment_ids,
            createdAt=platform.created_at,
        )


class ToolConfigurationOut(BaseModel):
    """What a platform administrator enters when registering LearnLoop as a tool."""

    loginInitiationUrl: str  # noqa: N815
    redirectUrl: str  # noqa: N815
    targetLinkUri: str  # noqa: N815
    deepLinkingUrl: str  # noqa: N815
    jwksUrl: str  # noqa: N815
    contentLinkPattern: str  # noqa: N815
