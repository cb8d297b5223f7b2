"""Every error answer of the API: an ErrorBody (detail, code, params) with a stable code.

``Problem`` is what a router raises; ``install`` registers the handlers that turn it, bad input,
unknown routes and database trouble into 4xx or 503 bodies of the same shape. Nothing a client
sends turns into a 5xx.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from sync.protocol.models import MAX_PUSH_BATCH, ErrorBody
from sync.protocol.refusals import Refusal

log = logging.getLogger("fieldrep.server")

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (400, 401, 403, 404, 409, 410, 413, 422, 426, 429)
}
"""The error answers every route documents in the OpenAPI schema."""


class Problem(Exception):
    """A refusal the API answers with ``status`` and an ErrorBody (detail, code, params)."""

    def __init__(self, status: int, reason: Refusal | str,
                 headers: dict[str, str] | None = None) -> None:
        self.refusal = reason if isinstance(reason, Refusal) else None
        self.detail = str(reason)
        super().__init__(self.detail)
        self.status = status
        self.headers = headers

    def body(self) -> dict[str, Any]:
        return error_body(self.refusal or self.detail)


def error_body(reason: Refusal | str, **extra: Any) -> dict[str, Any]:
    if isinstance(reason, Refusal):
        return {"detail": reason.text, **reason.wire(), **extra}
    return {"detail": reason, "code": None, "params": {}, **extra}


def _first_invalid(errors: list[ErrorDetails], skip_body: bool, fallback: str) -> Refusal:
    """``field.invalid`` for the first of pydantic's ``errors``, named by where it is."""
    if not errors:
        return Refusal("field.invalid", {"field": fallback, "problem": "invalid"})
    first = errors[0]
    where = ".".join(str(p) for p in first.get("loc", ())
                     if not (skip_body and p == "body")) or fallback
    return Refusal("field.invalid", {"field": where, "problem": first.get("msg", "invalid")})


def _too_many_mutations(errors: list[Any]) -> Refusal | None:
    """``push.too_many`` naming the limit, for a push over ``MAX_PUSH_BATCH`` mutations (the
    model's list-length check), instead of pydantic's generic line."""
    for found in errors:
        if found.get("type") == "too_long" and tuple(found.get("loc", ())) == ("body",
                                                                                "mutations"):
            context = found.get("ctx") or {}
            return Refusal("push.too_many", {"max": context.get("max_length", MAX_PUSH_BATCH),
                                             "count": context.get("actual_length", "?")})
    return None


def install(app: FastAPI) -> None:
    """Register the handlers that give every error the ErrorBody shape."""

    @app.exception_handler(Problem)
    async def _problem(_request: Request, problem: Problem) -> JSONResponse:
        return JSONResponse(problem.body(), status_code=problem.status, headers=problem.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        errors = list(error.errors())
        refusal = _too_many_mutations(errors) or _first_invalid(errors, True, "request")
        return JSONResponse(error_body(refusal), status_code=422)

    @app.exception_handler(ValidationError)
    async def _invalid_model(_request: Request, error: ValidationError) -> JSONResponse:
        refusal = _first_invalid(error.errors(), False, "record")
        return JSONResponse(error_body(refusal), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, error: StarletteHTTPException) -> JSONResponse:
        refusal = (Refusal("request.not_found") if error.status_code == 404
                   else Refusal("request.refused", {"reason": str(error.detail)}))
        return JSONResponse(error_body(refusal), status_code=error.status_code,
                            headers=getattr(error, "headers", None))

    @app.exception_handler(DataError)
    async def _unstorable(_request: Request, error: DataError) -> JSONResponse:
        log.info("refused a value the database cannot store: %s", error.orig)
        return JSONResponse(error_body(Refusal("request.unstorable")), status_code=422)

    @app.exception_handler(OperationalError)
    async def _busy(_request: Request, error: OperationalError) -> JSONResponse:
        log.warning("database busy: %s", error)
        return JSONResponse(error_body(Refusal("server.busy")), status_code=503,
                            headers={"Retry-After": "2"})
