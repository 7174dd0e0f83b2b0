"""Each person's language: chosen with the English/Español buttons, kept for them, and
applied at login and on every request, whatever the device's cookie or browser says."""

from typing import TypeGuard

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from hub.models import LanguagePreference

# The person's language, copied into their session at login so that applying it on each
# request costs no query.
SESSION_KEY = "hub_language"


def language_is_known(language: str | None) -> TypeGuard[str]:
    return language in dict(settings.LANGUAGES)


def user_language_set(*, user: User, language: str) -> LanguagePreference:
    """Remember `language` (a code of settings.LANGUAGES) for the person."""
    if not language_is_known(language):
        raise ValueError(f"{language!r} is not one of settings.LANGUAGES")
    preference, _created = LanguagePreference.objects.update_or_create(
        user=user, defaults={"language": language}
    )
    return preference


def user_language_get(*, user: User) -> str | None:
    preferences = LanguagePreference.objects.filter(user_id=user.pk)
    return preferences.values_list("language", flat=True).first()


@receiver(user_logged_in)
def _language_apply_at_login(sender, request: HttpRequest | None, user, **kwargs) -> None:
    language = user_language_get(user=user)
    if request is not None and language:
        request.session[SESSION_KEY] = language


@require_POST
@login_not_required
def language_set(request: HttpRequest) -> HttpResponse:
    """Django's set_language (the cookie, for the login page and after logout), and for a
    person logged in, their remembered language too."""
    response = set_language(request)
    language = request.POST.get("language")
    if request.user.is_authenticated and language_is_known(language):
        user_language_set(user=request.user, language=language)
        request.session[SESSION_KEY] = language
    return response


class UserLanguageMiddleware:
    """After LocaleMiddleware: a logged-in person's own language wins over the cookie and
    the browser's, and the cookie follows it, so the login page after logout matches."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = request.session.get(SESSION_KEY)
        if not language_is_known(language):
            return self.get_response(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response
