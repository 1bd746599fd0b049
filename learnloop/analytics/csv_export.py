"""CSV for every table-shaped answer: ``?format=csv`` or ``Accept: text/csv``."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import Response

# Spreadsheets run cells starting with these as formulas (CSV injection); such text
# cells get a leading apostrophe, which spreadsheets hide.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def wants_csv(request: Request) -> bool:
    requested = request.query_params.get("format")
    if requested is not None:
        return requested.lower() == "csv"
    accept = request.headers.get("accept", "")
    return "text/csv" in accept and "application/json" not in accept.split("text/csv")[0]


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    if isinstance(value, list | tuple):
        return "; ".join(str(_cell(item)) for item in value)
    return value


def csv_text(columns: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return buffer.getvalue()


def csv_response(
    filename: str, columns: Sequence[str], rows: Iterable[Mapping[str, Any]]
) -> Response:
    return Response(
        content=csv_text(columns, rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )


def model_rows(models: Iterable[Any]) -> list[dict[str, Any]]:
    return [model.model_dump() for model in models]
