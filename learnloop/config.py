"""Settings read from ``LEARNLOOP_*`` environment variables, with safe local defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_JWT_SECRET = "learnloop-local-development-secret-change-me"  # noqa: S105
MIN_PRODUCTION_SECRET_LENGTH = 32


class InsecureSettingsError(ValueError):
    """Raised when production mode is asked for with settings that are unsafe there."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LEARNLOOP_", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    base_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000

    data_dir: Path = Path("var")
    database_url: str = ""
    sql_echo: bool = False

    # Tokens issued by LearnLoop itself (POST /api/auth/login, `learnloop tokens issue`).
    jwt_secret: str = DEFAULT_JWT_SECRET
    jwt_issuer: str = "learnloop"
    jwt_ttl_seconds: int = 8 * 3600
    jwt_leeway_seconds: int = 30

    # Tokens issued by an outside identity provider.
    external_jwt_hs256_secret: str = ""
    external_jwt_jwks_url: str = ""
    external_jwt_issuer: str = ""
    external_jwt_audience: str = ""
    jwks_cache_seconds: int = 300
    outbound_http_timeout_seconds: float = 5.0

    default_plan: str = "pro"

    # Request body limits (bytes). Multipart uploads (H5P packages) get the larger one.
    max_json_body_bytes: int = 10 * 1024 * 1024
    max_upload_body_bytes: int = 500 * 1024 * 1024

    # Background jobs. With SQLite the server runs the worker loop itself.
    run_worker_in_process: bool | None = None
    job_poll_seconds: float = 1.0
    job_max_attempts: int = 5
    job_backoff_base_seconds: float = 2.0
    job_lock_timeout_seconds: int = 600

    # Files (H5P libraries, content, xAPI attachments).
    storage_backend: Literal["local"] = "local"
    storage_dir: Path | None = None

    log_level: str = "INFO"
    cors_allow_origins: list[str] = Field(default_factory=lambda: ["*"])

    # xAPI LRS (/xapi): statements per POST, page sizes of GET /xapi/statements, and how
    # far behind "now" X-Experience-API-Consistent-Through is reported (open transactions).
    xapi_max_batch_statements: int = 1000
    xapi_default_page_size: int = 100
    xapi_max_page_size: int = 1000
    xapi_consistency_margin_seconds: float = 1.0

    # H5P packages and content (learnloop.h5p). Package limits are checked on the zip's
    # directory before anything is extracted (zip bombs, entry floods).
    h5p_max_package_entries: int = 10_000
    h5p_max_total_uncompressed_bytes: int = 500 * 1024 * 1024
    h5p_max_file_bytes: int = 100 * 1024 * 1024
    h5p_max_compression_ratio: float = 200.0
    # The H5P core API the bundled player implements; libraries needing newer are refused.
    h5p_core_api_major: int = 1
    h5p_core_api_minor: int = 26
    # Longer content file names are shortened on import (and references rewritten).
    h5p_max_content_filename_length: int = 64
    # Decoded size limit of POST /h5p/media/upload (base64 in a JSON body).
    h5p_media_max_bytes: int = 7 * 1024 * 1024

    # H5P player (learnloop.h5p.player): completion tracking (setFinished) and capturing
    # the content's xAPI events into the LRS are switched independently, as H5P allows
    # (h5p-completion-tracking). The save interval is H5PIntegration.saveFreq (0 = off).
    h5p_set_finished_enabled: bool = True
    h5p_set_finished_url: str = "/h5p/setFinished"
    h5p_xapi_capture_enabled: bool = True
    h5p_save_freq_seconds: int = 30
    # Below the form parser's 1 MiB field limit, so an oversized state is a clear 413.
    h5p_user_data_max_bytes: int = 512 * 1024
    # h5p-standalone's dist directory (H5P core JS/CSS); None: node_modules of the checkout.
    h5p_core_dir: Path | None = None

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.environment == "production" and (
            self.jwt_secret == DEFAULT_JWT_SECRET
            or len(self.jwt_secret) < MIN_PRODUCTION_SECRET_LENGTH
        ):
            raise InsecureSettingsError(
                "LEARNLOOP_JWT_SECRET must be set to a random value of at least "
                f"{MIN_PRODUCTION_SECRET_LENGTH} characters in production"
            )
        return self

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'learnloop.db').as_posix()}"

    @property
    def resolved_storage_dir(self) -> Path:
        return self.storage_dir if self.storage_dir is not None else self.data_dir / "files"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def worker_in_process(self) -> bool:
        if self.run_worker_in_process is not None:
            return self.run_worker_in_process
        return self.is_sqlite
