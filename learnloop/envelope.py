"""The reference's response envelope: ``{"success": true, "data": …, "message": …}``."""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel

T = TypeVar("T")


class Envelope(BaseModel, Generic[T]):
    success: bool = True
    data: T


class MessageEnvelope(BaseModel, Generic[T]):
    success: bool = True
    data: T
    message: str


class MessageOnly(BaseModel):
    success: bool = True
    message: str


def ok(data: T) -> Envelope[T]:
    return Envelope[T](data=data)
