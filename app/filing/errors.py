"""Errors of the filing engine, each with a Chinese message and the HTTP status it maps to."""


class FilingError(Exception):
    """Base: `message` is shown to the user; `status` is what a view or the API answers."""

    status = 400

    def __init__(self, message: str, errors: dict | None = None, issues: list | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        # The broken rules behind the message, errors and warnings (app.forms.base.Issue): a page
        # lists each one at its field.
        self.issues = issues or []


class Forbidden(FilingError):
    """Wrong role or outside the unit scope."""

    status = 403


class Conflict(FilingError):
    """Wrong state, a stale version, or a duplicate action."""

    status = 409


class Invalid(FilingError):
    """Bad values: `errors` maps field names to messages."""

    status = 400
