"""The H5P Hub protocol (H5P core's ``H5PHubEndpoints``, Lumi's ``ContentTypeCache``).

* ``POST {hub}/sites`` with the site's info registers the site; the hub answers its uuid.
* ``POST {hub}/content-types`` with the site's info (and uuid) answers the content types
  the hub offers: ``{"contentTypes": [{"id", "version": {major, minor, patch}, …}]}``.
* ``GET {hub}/content-types/<machineName>`` downloads the type's ``.h5p`` package.

The site's info is sent form-encoded, as H5P core and Lumi send it.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from typing import IO, Any, Protocol

import httpx

from learnloop.h5p.hub.errors import (
    ContentTypeNotInHub,
    HubBadAnswer,
    HubPackageTooLarge,
    HubUnavailable,
)

DOWNLOAD_CHUNK_BYTES = 64 * 1024
MAX_REDIRECTS = 4
# Kept in memory up to this size, spooled to disk beyond.
SPOOL_MEMORY_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class SiteInfo:
    """What H5P core sends with registration and cache updates (``getSiteInfo``)."""

    uuid: str
    platform_name: str
    platform_version: str
    h5p_version: str
    core_api_version: str
    local_id: str
    site_type: str = "local"

    def form(self) -> dict[str, str]:
        return {
            "uuid": self.uuid,
            "platform_name": self.platform_name,
            "platform_version": self.platform_version,
            "h5p_version": self.h5p_version,
            "disabled": "0",
            "local_id": self.local_id,
            "type": self.site_type,
            "core_api_version": self.core_api_version,
        }


class HubClient(Protocol):
    def register(self, site: SiteInfo) -> str: ...

    def content_types(self, site: SiteInfo) -> list[dict[str, Any]]: ...

    def download(self, machine_name: str) -> IO[bytes]: ...


class HttpHubClient:
    """The hub over HTTP, through the app's one outbound client (learnloop.outbound)."""

    def __init__(self, http: httpx.Client, hub_url: str, max_package_bytes: int) -> None:
        self._http = http
        self._hub_url = hub_url.rstrip("/")
        self._max_package_bytes = max_package_bytes

    def _post_json(self, path: str, form: dict[str, str]) -> dict[str, Any]:
        url = f"{self._hub_url}/{path}"
        try:
            response = self._http.post(url, data=form)
        except httpx.HTTPError as exc:
            raise HubUnavailable(f"The H5P Hub at {self._hub_url} is unreachable ({exc})") from exc
        if response.status_code >= 500:
            raise HubUnavailable(
                f"The H5P Hub at {self._hub_url} answered {response.status_code} to {path}"
            )
        if response.status_code != 200:
            raise HubBadAnswer(
                f"The H5P Hub at {self._hub_url} refused {path} ({response.status_code})"
            )
        try:
            document = response.json()
        except ValueError as exc:
            raise HubBadAnswer(f"The H5P Hub's answer to {path} is not JSON") from exc
        if not isinstance(document, dict):
            raise HubBadAnswer(f"The H5P Hub's answer to {path} is not a JSON object")
        return document

    def register(self, site: SiteInfo) -> str:
        document = self._post_json("sites", site.form())
        uuid = document.get("uuid")
        if not isinstance(uuid, str) or not uuid or len(uuid) > 64:
            raise HubBadAnswer("The H5P Hub's registration answer carries no uuid")
        return uuid

    def content_types(self, site: SiteInfo) -> list[dict[str, Any]]:
        document = self._post_json("content-types", site.form())
        entries = document.get("contentTypes")
        if not isinstance(entries, list):
            raise HubBadAnswer("The H5P Hub's content-types answer has no contentTypes list")
        return [entry for entry in entries if isinstance(entry, dict)]

    def download(self, machine_name: str) -> IO[bytes]:
        """The type's package, spooled. The hub may redirect the download (to a file
        host; H5P core's and Lumi's HTTP clients follow): a few hops, http(s) only."""
        url = httpx.URL(f"{self._hub_url}/content-types/{machine_name}")
        # Handed to the caller, who closes it.
        spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY_BYTES)  # noqa: SIM115
        try:
            for _hop in range(MAX_REDIRECTS + 1):
                with self._http.stream("GET", url) as response:
                    location = response.headers.get("location")
                    if response.is_redirect and location:
                        url = url.join(location)
                        if url.scheme not in ("http", "https"):
                            raise HubBadAnswer(
                                f"The hub redirected the download of {machine_name} away"
                            )
                        continue
                    self._receive(machine_name, response, spool)
                    break
            else:
                raise HubBadAnswer(f"The hub redirected the download of {machine_name} too often")
        except httpx.HTTPError as exc:
            spool.close()
            raise HubUnavailable(f"The H5P Hub at {self._hub_url} is unreachable ({exc})") from exc
        except BaseException:
            spool.close()
            raise
        spool.seek(0)
        return spool

    def _receive(self, machine_name: str, response: httpx.Response, spool: IO[bytes]) -> None:
        if response.status_code == 404:
            raise ContentTypeNotInHub(f"{machine_name}: Not found in hub")
        if response.status_code >= 500:
            raise HubUnavailable(
                f"The H5P Hub at {self._hub_url} answered {response.status_code} "
                f"to the download of {machine_name}"
            )
        if response.status_code != 200:
            raise HubBadAnswer(
                f"The H5P Hub refused the download of {machine_name} ({response.status_code})"
            )
        received = 0
        for chunk in response.iter_bytes(DOWNLOAD_CHUNK_BYTES):
            received += len(chunk)
            if received > self._max_package_bytes:
                raise HubPackageTooLarge(
                    f"The hub's package of {machine_name} is larger than "
                    f"{self._max_package_bytes} bytes"
                )
            spool.write(chunk)
