"""LearnLoop as an LTI 1.3 tool: platform registrations, the tool's own keys, the OIDC
third-party login and the id_token launch (IMS LTI Core 1.3, IMS Security Framework 1.0)."""
