"""No request carries control characters into the hub. Nobody types a NUL or an escape
character; they come from tampering or a broken client, and further in they fail where the
database, a mail header or a file refuses them. Tabs and line breaks are text."""

import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.translation import gettext as _

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_characters(*texts: str) -> bool:
    return any(CONTROL_CHARACTERS.search(text) for text in texts)


def _query_has_them(query) -> bool:
    return any(has_control_characters(key, *values) for key, values in query.lists())


class ControlCharactersMiddleware:
    """Before the session is read (it goes early in MIDDLEWARE): a cookie with control
    characters is dropped, as if the browser had not sent it; a path, query string or form
    with them is answered 400 with a page that says so, in the visitor's language."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for name, value in list(request.COOKIES.items()):
            if has_control_characters(name, value):
                del request.COOKIES[name]
        if (
            has_control_characters(request.path)
            or _query_has_them(request.GET)
            or (request.method == "POST" and _query_has_them(request.POST))
        ):
            return self.refuse(request)
        return self.get_response(request)

    @staticmethod
    def refuse(request: HttpRequest) -> HttpResponse:
        language = translation.get_language_from_request(request)
        with translation.override(language or settings.LANGUAGE_CODE):
            message = _(
                "What was sent contains control characters, which no form of the hub takes. "
                "Nothing was saved. Go back and type it again."
            )
            return render(request, "400.html", {"message": message}, status=400)
