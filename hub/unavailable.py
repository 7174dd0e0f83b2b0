"""What a request answers when the database fails: 503 and "nothing was saved", for every
request, whichever layer met the failure.

Django turns an exception raised anywhere in the middleware stack (a session read, the
logged-in user looked up, the session saved after the view) into a response at that layer,
before any outer middleware sees it, and only the view's own exceptions reach a
middleware's `process_exception`. The one place every uncaught exception passes is the 500
handler, so the 503 is answered there. Every write is one transaction, rolled back with the
connection, so "nothing was saved" is true. Django drops the broken connection at the end of
the request, and the next request opens a new one: pages work again, without a restart, as
soon as the database is back."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import get_template
from django.utils.translation import gettext
from django.views import defaults

RETRY_AFTER_SECONDS = 5


def database_failed(exception: BaseException | None) -> bool:
    return isinstance(exception, OperationalError | InterfaceError)


def database_unavailable_response(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: JSON for the feeds, else a page that needs no database (htmx
    shows its own "not saved" notice on a 503: static/js/intake.js)."""
    response: HttpResponse
    if request.path.endswith(".json"):
        response = JsonResponse(
            {
                "error": "database_unavailable",
                "message": gettext("The connection to the database was lost."),
                "retry_after_seconds": RETRY_AFTER_SECONDS,
            },
            status=503,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        # Rendered without the request's context processors, which would query the database.
        page = get_template("503.html").render({"path": request.get_full_path()})
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: called while the uncaught exception is being handled."""
    if database_failed(sys.exception()):
        return database_unavailable_response(request)
    return defaults.server_error(request)
