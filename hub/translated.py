"""The catalog's and the hub's own words in every shipped language.

A translated model keeps, beside each translated field (a name, the opening hours, an
intake reason), its other languages in one JSON field, `translations`:
{"name": {"es": "Manta", "hi": "कंबल"}}. The field itself holds the text in the default
language (the hub's default language for a hub's own texts, the site's for the shared
catalog), which is what a reader sees when their language has none. One JSON column rather
than a column per language (django-modeltranslation): a language is added in settings
alone, with no migration, and the catalog's unique names and ordering stay on one column.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from hub.validators import single_line

Translations = dict[str, dict[str, str]]


def translations_field() -> models.JSONField:
    return models.JSONField(
        _("translations"), default=dict, blank=True, validators=[translations_check]
    )


def translations_check(value: Any) -> None:
    """{field: {language: text}}, every language one of settings.LANGUAGES."""
    languages = dict(settings.LANGUAGES)
    if not isinstance(value, dict) or not all(
        isinstance(texts, dict)
        and all(code in languages and isinstance(text, str) for code, text in texts.items())
        for texts in value.values()
    ):
        raise ValidationError(_("Translations are texts by language."))


def translated(obj: Any, field: str, language: str | None = None) -> str:
    """The field in `language` (the active one by default), else in the default language."""
    text = getattr(obj, field)
    if not text:  # a cleared text (an intake reopened) leaves no translation behind
        return text
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    texts: Mapping[str, str] = (getattr(obj, "translations", None) or {}).get(field) or {}
    return texts.get(language) or text


def translated_all(obj: Any, field: str) -> list[str]:
    """The field in every language it has: what search matches."""
    texts: Mapping[str, str] = (getattr(obj, "translations", None) or {}).get(field) or {}
    return [getattr(obj, field), *texts.values()]


def other_languages() -> list[tuple[str, Any]]:
    return [(code, name) for code, name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def translations_form(
    form_class: type[forms.ModelForm],
    fields: Iterable[str],
    *,
    max_length: int,
    every_language: bool = False,
) -> type[forms.ModelForm]:
    """`form_class` with one optional text box per field and language, read from and written
    to the instance's `translations`: how admins give them. The shared catalog is written in
    the site's language, so that one has no box; a hub's own texts are in the hub's default
    language, which may be any (`every_language`)."""
    fields = tuple(fields)
    languages = list(settings.LANGUAGES) if every_language else other_languages()
    attrs: dict[str, Any] = {}
    for field in fields:
        for code, name in languages:
            attrs[f"{field}__{code}"] = forms.CharField(
                label=f"{field.replace('_', ' ')} ({name})",
                required=False,
                max_length=max_length,
                validators=[single_line],
                widget=forms.TextInput(attrs={"lang": code, "dir": "auto"}),
            )

    def __init__(self, *args, **kwargs):
        form_class.__init__(self, *args, **kwargs)
        saved: Translations = self.instance.translations or {}
        for field in fields:
            for code, _name in languages:
                self.initial.setdefault(f"{field}__{code}", saved.get(field, {}).get(code, ""))

    def _post_clean(self):
        form_class._post_clean(self)  # type: ignore[attr-defined]  # Django's own hook
        saved: Translations = dict(self.instance.translations or {})
        for field in fields:
            texts = {
                code: text.strip()
                for code, _name in languages
                if (text := self.cleaned_data.get(f"{field}__{code}") or "").strip()
            }
            if texts:
                saved[field] = texts
            else:
                saved.pop(field, None)
        self.instance.translations = saved

    attrs["__init__"] = __init__
    attrs["_post_clean"] = _post_clean
    return type(f"Translated{form_class.__name__}", (form_class,), attrs)


def translated_text(text: str, translations: Translations | None, field: str = "name") -> str:
    """`translated` for a row read as values (`text` and the row's `translations`)."""
    if not text:
        return text
    language = translation.get_language() or settings.LANGUAGE_CODE
    return ((translations or {}).get(field) or {}).get(language) or text
