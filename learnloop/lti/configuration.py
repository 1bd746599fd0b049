"""The URLs a platform administrator needs to register LearnLoop (LTI Core 1.3 §4.1,
Deep Linking 2.0 §4.4, Security Framework 1.0 §6.3)."""

from __future__ import annotations

from learnloop.lti.links import CONTENT_LINK_PATH
from learnloop.lti.login import launch_url
from learnloop.lti.schemas import ToolConfigurationOut

LOGIN_PATH = "/lti/login"
JWKS_PATH = "/lti/jwks"


def tool_configuration(base_url: str) -> ToolConfigurationOut:
    base = base_url.rstrip("/")
    return ToolConfigurationOut(
        loginInitiationUrl=base + LOGIN_PATH,
        redirectUrl=launch_url(base),
        targetLinkUri=launch_url(base),
        deepLinkingUrl=launch_url(base),
        jwksUrl=base + JWKS_PATH,
        contentLinkPattern=base + CONTENT_LINK_PATH + "{contentId}",
    )
