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
    assert [m.id for m in messages() if not m.string or m.fuzzy] == []


def test_it_keeps_every_placeholder_in_the_spanish_text():
    broken = [
        m.id
        for m in messages()
        if sorted(PLACEHOLDER.findall(m.id)) != sorted(PLACEHOLDER.findall(m.string))
    ]
    assert broken == []
