"""Every shipped language ships complete: each catalogue (locale/<lang>/, and locale_django/
for Django's own messages in a language Django lacks) has every message translated, none
fuzzy, the English placeholders intact and as many plural forms as its Plural-Forms header
says; and each language has its glossary."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.conf import settings
from django.utils.translation import to_locale

ROOT = Path(__file__).resolve().parent.parent
# %(name)s, %s, %d, %%, and the {name} of str.format.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdr]|%[sdr]|%%|\{\w*\}")
SHIPPED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def catalogue(language: str) -> Path:
    return ROOT / "locale" / to_locale(language) / "LC_MESSAGES" / "django.po"


def catalogues() -> list[Path]:
    return [catalogue(code) for code in SHIPPED] + sorted(ROOT.glob("locale_django/*/*/*.po"))


def messages(path: Path):
    with path.open("rb") as po:
        catalog = read_po(po)
    return catalog, [m for m in catalog if m.id]


def forms(text: str | tuple) -> tuple:
    """A message's forms: one, or singular and plural (babel gives plurals as tuples)."""
    return text if isinstance(text, tuple) else (text,)


def test_it_has_a_catalogue_for_every_shipped_language():
    assert [code for code in SHIPPED if not catalogue(code).exists()] == []


@pytest.mark.parametrize("path", catalogues(), ids=lambda p: str(p.relative_to(ROOT)))
def test_it_translates_every_message(path):
    _catalog, found = messages(path)
    assert [m.id for m in found if not all(forms(m.string)) or m.fuzzy] == []


@pytest.mark.parametrize("path", catalogues(), ids=lambda p: str(p.relative_to(ROOT)))
def test_it_keeps_every_placeholder(path):
    _catalog, found = messages(path)
    broken = [
        (m.id, translated)
        for m in found
        for translated in forms(m.string)
        # A plural form has the plural's placeholders; a language's singular form may leave
        # out the count ("one box"), as English's singular may.
        if sorted(set(PLACEHOLDER.findall(translated)))
        not in (
            sorted(set(PLACEHOLDER.findall(forms(m.id)[-1]))),
            sorted(set(PLACEHOLDER.findall(forms(m.id)[0]))),
        )
    ]
    assert broken == []


@pytest.mark.parametrize("path", catalogues(), ids=lambda p: str(p.relative_to(ROOT)))
def test_it_gives_every_plural_form_of_the_language(path):
    catalog, found = messages(path)
    header = dict(catalog.mime_headers).get("Plural-Forms", "")
    declared = re.search(r"nplurals\s*=\s*(\d+)", header)
    assert declared, f"{path} has no Plural-Forms header"
    wanted = int(declared.group(1))
    assert [m.id for m in found if isinstance(m.id, tuple) and len(m.string) != wanted] == []


@pytest.mark.parametrize("language", SHIPPED)
def test_it_has_a_glossary_of_the_core_terms(language):
    glossary = ROOT / "locale" / to_locale(language) / "glossary.md"
    rows = {
        line.split("|")[1].strip().split(" (")[0]
        for line in glossary.read_text(encoding="utf-8").splitlines()
        if line.startswith("| ") and not line.startswith("| English")
    }
    core = {"hub", "dropoff", "run", "stop", "location", "intake", "surplus", "item"}
    core |= {"category", "unit", "stock", "destination", "need", "pledge", "transfer"}
    core |= {"in transit", "claim", "offer", "volunteer", "coordinator", "tablet"}
    assert core - rows == set()
