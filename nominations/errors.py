"""Domain errors: a message a user can act on, and a code the API maps to a status."""
from __future__ import annotations


class WorkflowError(Exception):
    """A business rule refused the action. Nothing was changed."""

    code = "invalid"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, missing: list[str] | None = None,
                 field_errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.missing = list(missing or [])
        self.field_errors = field_errors or {}


class InvalidState(WorkflowError):
    code = "invalid_state"
    status = 409


class ConcurrentChange(WorkflowError):
    code = "conflict"
    status = 409


class NotPermitted(WorkflowError):
    code = "permission_denied"
    status = 403


class ConditionsUnmet(WorkflowError):
    code = "conditions_unmet"
    status = 400


class NotFound(WorkflowError):
    code = "not_found"
    status = 404
