"""What a user is told when the hub refuses a request, and how a page shows it.

Every service raises a `UserError` (or a subclass named for its app) when it stores nothing
because of the input or the state: the message is for the person at the screen, in their
language; `field` names the form field it is about, `line` the form line (by index). A
`Denied` is a refusal by role or hub: the page answers 403. Views hand either to
`user_error_show`, the one place that turns them into what the page shows."""

from collections.abc import Sequence

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest


class UserError(Exception):
    def __init__(self, message: str = "", *, field: str | None = None, line: int | None = None):
        super().__init__(message)
        self.field, self.line = field, line


class Denied(UserError):
    """The user may not do this in this hub, whatever the input."""


def user_error_show(
    *,
    error: UserError,
    form: forms.Form | None = None,
    line_forms: Sequence[forms.Form] | None = None,
    request: HttpRequest | None = None,
) -> str:
    """Show the error where the user looks: beside its line (`line_forms`) or field of
    `form`, else at the top of `form`; without a form, as a message on the next page
    (`request`). Returns the message, for a page that places it itself. A denial is a 403:
    raises PermissionDenied with the message."""
    message = str(error)
    if isinstance(error, Denied):
        raise PermissionDenied(message) from error
    if error.line is not None and line_forms is not None and error.line < len(line_forms):
        line_forms[error.line].add_error(None, message)
    elif form is not None:
        form.add_error(error.field, message)
    elif request is not None:
        messages.error(request, message)
    return message
