"""Partner statements go into the LRS through its own storage path (``store_statements``)
with the partner as authority, so validation, hooks, progress and analytics all apply."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy.orm import Session

from learnloop.errors import AppError
from learnloop.partners.oauth import PartnerCaller, partner_authority
from learnloop.xapi.callers import XapiCaller
from learnloop.xapi.hooks import StatementHooks
from learnloop.xapi.statements import StoreLimits, store_statements
from learnloop.xapi.validation import validate_batch
from learnloop.xapi.versions import XapiVersion

STORED = 200


@dataclass(frozen=True)
class StatementOutcome:
    """What became of one statement of a request: stored (200) or refused with a status."""

    index: int
    statement_id: str | None
    status: int
    error: str | None = None

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"index": self.index, "id": self.statement_id, "status": self.status}
        if self.error is not None:
            out["error"] = self.error
        return out


@dataclass(frozen=True)
class PartnerIngest:
    hooks: StatementHooks
    base_url: str
    max_batch: int
    max_statement_bytes: int

    def xapi_caller(self, caller: PartnerCaller) -> XapiCaller:
        return XapiCaller(
            authority=partner_authority(self.base_url, caller.partner_name, caller.org_id),
            scopes=frozenset({"statements/write"}),
        )

    def store(
        self,
        session: Session,
        caller: PartnerCaller,
        statements: Sequence[Any],
        version: XapiVersion = XapiVersion.V1_0_3,
    ) -> list[str]:
        """Store a batch atomically (all or nothing)."""
        return store_statements(
            session,
            statements,
            caller=self.xapi_caller(caller),
            version=version,
            hooks=self.hooks,
            limits=StoreLimits(max_statements=self.max_batch),
        )

    def store_each(
        self,
        session: Session,
        caller: PartnerCaller,
        statements: Sequence[Any],
        version: XapiVersion,
    ) -> list[StatementOutcome]:
        """Store every statement on its own: one refused statement does not keep the others
        out. The whole batch is tried first in one SAVEPOINT (the common, all-valid case
        costs one store); when it is refused, each statement gets a SAVEPOINT of its own."""
        outcomes: dict[int, StatementOutcome] = {}
        candidates: list[tuple[int, Any]] = []
        for index, statement in enumerate(statements):
            refusal = self._precheck(index, statement)
            if refusal is not None:
                outcomes[index] = refusal
            else:
                candidates.append((index, statement))
        if candidates:
            xapi_caller = self.xapi_caller(caller)
            try:
                with session.begin_nested():
                    ids = self._store(session, xapi_caller, [s for _, s in candidates], version)
                for (index, _), statement_id in zip(candidates, ids, strict=True):
                    outcomes[index] = StatementOutcome(index, statement_id, STORED)
            except AppError:
                self._store_valid_ones(session, xapi_caller, candidates, version, outcomes)
        return [outcomes[index] for index in range(len(statements))]

    def _store_valid_ones(
        self,
        session: Session,
        xapi_caller: XapiCaller,
        candidates: list[tuple[int, Any]],
        version: XapiVersion,
        outcomes: dict[int, StatementOutcome],
    ) -> None:
        """The batch was refused. Most often some statements are invalid: validating each
        alone needs no database, and the valid rest is tried again as one batch. Only when
        that is refused too (an id conflict, a hook's check) does each statement get a
        SAVEPOINT of its own."""
        valid: list[tuple[int, Any]] = []
        for index, statement in candidates:
            try:
                validate_batch([statement], version)
            except AppError as exc:
                outcomes[index] = StatementOutcome(
                    index, _statement_id(statement), exc.status_code, exc.message
                )
            else:
                valid.append((index, statement))
        if not valid:
            return
        if len(valid) < len(candidates):
            try:
                with session.begin_nested():
                    ids = self._store(session, xapi_caller, [s for _, s in valid], version)
            except AppError:
                pass
            else:
                for (index, _), statement_id in zip(valid, ids, strict=True):
                    outcomes[index] = StatementOutcome(index, statement_id, STORED)
                return
        for index, statement in valid:
            outcomes[index] = self._store_one(session, xapi_caller, index, statement, version)

    def _precheck(self, index: int, statement: Any) -> StatementOutcome | None:
        if not isinstance(statement, dict):
            return StatementOutcome(index, None, 400, "A statement must be a JSON object")
        statement_id = _statement_id(statement)
        size = len(orjson.dumps(statement))
        if size > self.max_statement_bytes:
            return StatementOutcome(
                index,
                statement_id,
                413,
                f"The statement has {size} bytes; a partner statement may have at most "
                f"{self.max_statement_bytes} bytes (16 KB)",
            )
        return None

    def _store(
        self,
        session: Session,
        xapi_caller: XapiCaller,
        statements: list[Any],
        version: XapiVersion,
    ) -> list[str]:
        return store_statements(
            session,
            statements,
            caller=xapi_caller,
            version=version,
            hooks=self.hooks,
            limits=StoreLimits(max_statements=self.max_batch),
        )

    def _store_one(
        self,
        session: Session,
        xapi_caller: XapiCaller,
        index: int,
        statement: dict[str, Any],
        version: XapiVersion,
    ) -> StatementOutcome:
        statement_id = _statement_id(statement)
        try:
            with session.begin_nested():
                (stored_id,) = self._store(session, xapi_caller, [statement], version)
        except AppError as exc:
            # The LRS names the statement "statement[0]"; here it is the request's index.
            message = exc.message.replace("statement[0]", f"statement[{index}]", 1)
            return StatementOutcome(index, statement_id, exc.status_code, message)
        return StatementOutcome(index, stored_id, STORED)


def _statement_id(statement: dict[str, Any]) -> str | None:
    raw_id = statement.get("id")
    return raw_id if isinstance(raw_id, str) else None
