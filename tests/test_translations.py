"""Spanish ships complete: every message translated, none fuzzy, placeholders intact."""

import re
from pathlib import Path

from babel.messages.pofile import read_po

CATALOG = Path(__file__).resolve().parent.parent / "locale/es/LC_MESSAGES/django.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")


def messages():
    with CATALOG.open("rb") as po:
        return [m for m in read_po(po, locale="es") if m.id]


def test_it_translates_every_message_to_spanish():
    assert [m.id for m in messages() if not all(forms(m.string)) or m.fuzzy] == []


def forms(text: str | tuple) -> tuple:
    """A message's forms: one, or singular and plural (babel gives plurals as tuples)."""
    return text if isinstance(text, tuple) else (text,)


def test_it_keeps_every_placeholder_in_the_spanish_text():
    broken = [
        m.id
        for m in messages()
        for english in forms(m.id)[-1:]  # the plural has every placeholder the singular has
        for spanish in forms(m.string)
        if sorted(set(PLACEHOLDER.findall(english))) != sorted(set(PLACEHOLDER.findall(spanish)))
    ]
    assert broken == []
