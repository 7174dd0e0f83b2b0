"""The catalog and the hub's own words in every shipped language: names given per language
are what a reader of that language sees (the default one when a language has none), search
finds an item by its name in any of them, ledger reasons and units are worded at display
time in the reader's language, and the dropoff in progress survives a change of language."""

import re
from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from hub.intake.services import DropoffLineInput, hub_intake_set
from hub.intake_status import intake_close_when_full, intake_reopen_under_nearly_full
from hub.languages import SESSION_KEY
from hub.translated import translated
from inventory.models import StockMovement
from inventory.reasons import Reason
from inventory.search import query_terms, search_text
from tests.factories import CategoryFactory, ItemFactory, StorageLocationFactory
from tests.intake import dropoff_form, intake_url, line, logged, login


@pytest.fixture
def blanket(db):
    bedding = CategoryFactory(
        code="bedding", name="Bedding", translations={"name": {"es": "Ropa de cama"}}
    )
    return ItemFactory(
        name="Blanket",
        category=bedding,
        translations={"name": {"es": "Manta", "hi": "कंबल", "ko": "담요", "fa": "پتو"}},
    )


@pytest.fixture
def hall(hub):
    return StorageLocationFactory(
        hub=hub,
        name="Main hall",
        capacity_litres=Decimal("1000"),
        translations={"name": {"hi": "मुख्य हॉल", "fa": "سالن اصلی"}},
    )


def test_it_names_things_in_the_readers_language_else_in_the_default_one(blanket, hall):
    shown = {}
    for language in ("en", "es", "hi", "fa", "vi"):
        with translation.override(language):
            shown[language] = (blanket.display_name, blanket.category.display_name, str(hall))
    assert shown["es"] == ("Manta", "Ropa de cama", f"Main hall ({hall.hub})")
    assert shown["hi"] == ("कंबल", "Bedding", f"मुख्य हॉल ({hall.hub})")
    assert shown["fa"][0] == "پتو"
    assert shown["vi"] == shown["en"] == ("Blanket", "Bedding", f"Main hall ({hall.hub})")


@pytest.mark.parametrize("query", ["manta", "Mantas", "कंबल", "담요", "담", "پتو", "ropa de cama"])
def test_it_finds_an_item_by_its_name_in_any_language(client, hub, volunteer, blanket, query):
    login(client, volunteer)
    response = client.get(reverse("intake_item_search", args=[hub.slug]), {"q": query})
    assert re.findall(r'data-add-item="(\d+)"', response.text) == [str(blanket.pk)]


def test_it_keeps_the_marks_of_a_script_inside_a_word():
    # A Devanagari vowel sign is a mark, not a space: "कंबल" is one word, found by its start.
    assert search_text("कंबल") == " कंबल"
    assert query_terms("कंब") == [" कंब"]


def test_it_finds_a_renamed_category_in_its_items(blanket):
    category = blanket.category
    category.translations = {"name": {"tl": "Higaan"}}
    category.save()
    blanket.refresh_from_db()
    assert " higaan" in blanket.search_text


def test_it_gives_a_hubs_hours_and_intake_reason_per_language(hub):
    hub.opening_hours = "Daily 8:00-20:00"
    hub.intake_reason = "Storage full"
    hub.translations = {"intake_reason": {"es": "Almacén lleno"}}
    with translation.override("es"):
        assert (hub.display_opening_hours, hub.display_intake_reason) == (
            "Daily 8:00-20:00",
            "Almacén lleno",
        )
    assert translated(hub, "intake_reason", "fa") == "Storage full"


def test_it_words_a_ledger_reason_in_the_readers_language(client, hub, coordinator, blanket, hall):
    dropoff = logged(hub, coordinator, *[_line(blanket, hall, 3)])
    movement = StockMovement.objects.get(source_id=dropoff.pk)
    assert (movement.reason_code, movement.reason_params) == ("dropoff", {"number": dropoff.pk})
    assert movement.reason == f"Dropoff #{dropoff.pk}"

    login(client, coordinator)
    client.cookies["django_language"] = "es"
    page = client.get(reverse("item_detail", args=[hub.slug, blanket.pk])).text
    assert f"Donación n.º {dropoff.pk}" in page
    assert "Manta" in page


def test_it_shows_a_typed_reason_as_it_was_typed():
    with translation.override("hi"):
        assert str(Reason("count")) == "Physical count"  # stored in English, worded on display
        movement = StockMovement(reason="Water damage", reason_code="", reason_params={})
        assert movement.display_reason == "Water damage"
        counted = StockMovement(reason="Physical count", reason_code="count", reason_params={})
        assert counted.display_reason == "भौतिक गिनती"


@pytest.mark.parametrize(
    ("language", "count", "unit", "word"),
    [
        ("en", 1, "box", "box"),
        ("en", 220, "box", "boxes"),
        ("es", 1, "each", "unidad"),
        ("es", 220, "each", "unidades"),
        ("hi", 3, "bag", "थैले"),
        ("fa", 3, "bag", "کیسه"),
    ],
)
def test_it_words_a_unit_for_its_count(language, count, unit, word):
    template = Template("{% load units %}{{ unit|unit_for:count }}")
    with translation.override(language):
        assert template.render(Context({"unit": unit, "count": count})) == word


def test_it_counts_lines_in_the_plural_of_the_language():
    template = Template(
        "{% load i18n %}{% blocktranslate count lines=n with shown=n %}{{ shown }} line"
        "{% plural %}{{ shown }} lines{% endblocktranslate %}"
    )
    with translation.override("es"):
        assert [template.render(Context({"n": n})) for n in (1, 2)] == ["1 línea", "2 líneas"]


def test_it_draws_the_dropoff_in_progress_again_in_the_new_language(
    client, hub, volunteer, blanket, hall
):
    login(client, volunteer)
    client.post(reverse("set_language"), {"language": "hi", "next": intake_url(hub)})
    data = dropoff_form(hall, line(blanket, 4), keep_lines="1", donor_name="Ana")

    page = client.post(intake_url(hub), data).text

    assert '<html lang="hi" dir="ltr">' in page
    assert "कंबल" in page and 'name="quantity"' in page and 'value="4"' in page
    assert 'value="Ana"' in page
    assert data["idempotency_key"] in page
    assert client.session[SESSION_KEY] == "hi"


def test_it_lays_persian_pages_out_right_to_left(client, hub, volunteer):
    login(client, volunteer)
    client.post(reverse("set_language"), {"language": "fa", "next": "/"})
    page = client.get(intake_url(hub)).text
    assert '<html lang="fa" dir="rtl">' in page
    assert "ثبت اهدا" in page


def test_it_offers_every_shipped_language_as_a_button_of_its_own(client, db):
    page = client.get(reverse("login")).text
    buttons = page[page.index('<form class="lang"') :]
    codes = re.findall(r'name="language" value="([\w-]+)"', buttons)
    assert codes == ["en", "es", "hi", "ko", "zh-hans", "tl", "vi", "fa"]
    # Each labelled in its own script, its full own name for screen readers and on hover.
    assert 'lang="hi"' in buttons and ">हिंदी</button>" in buttons
    assert 'lang="fa" dir="rtl"' in buttons and ">فارسی</button>" in buttons
    assert 'aria-label="Tagalog" title="Tagalog"' in buttons and ">TL</button>" in buttons


def test_it_shows_djangos_own_form_errors_in_tagalog():
    with translation.override("tl"):
        assert NamedForm({}).errors["name"] == ["Kailangan ang field na ito."]


class NamedForm(forms.Form):
    name = forms.CharField()


def _line(item, location, quantity):
    return DropoffLineInput(item=item, quantity=quantity, location=location)


def test_it_exports_names_and_reasons_in_the_readers_language(
    client, hub, coordinator, blanket, hall
):
    dropoff = logged(hub, coordinator, _line(blanket, hall, 3))
    login(client, coordinator)
    client.cookies["django_language"] = "es"
    stock = b"".join(client.get(reverse("export_stock", args=[hub.slug])).streaming_content)
    ledger = b"".join(client.get(reverse("export_ledger", args=[hub.slug])).streaming_content)
    assert "Manta,Ropa de cama,Main hall" in stock.decode()
    assert f"Donación n.º {dropoff.pk}" in ledger.decode()


def test_it_words_an_automatic_closure_for_every_reader_and_restores_the_admins_reason(hub):
    hub.intake_status, hub.intake_reason = "limited", "Only baby items"
    hub.translations = {"intake_reason": {"es": "Solo artículos de bebé"}}
    hub.save()

    intake_close_when_full(hub=hub, percent=Decimal("96"))
    hub.refresh_from_db()
    with translation.override("hi"):
        assert hub.display_intake_reason == "अपने आप: भंडार 96 % भरा"
    assert hub.display_intake_reason == "automatic: storage 96 % full"

    intake_reopen_under_nearly_full(hub=hub)
    hub.refresh_from_db()
    with translation.override("es"):
        assert hub.display_intake_reason == "Solo artículos de bebé"


def test_it_drops_the_translations_of_a_reason_the_admin_changed(hub, admin_user):
    hub.intake_status, hub.intake_reason = "closed", "Storage full"
    hub.translations = {"intake_reason": {"es": "Almacén lleno"}}
    hub.save()
    hub_intake_set(hub=hub, user=admin_user, status="closed", reason="Moving to a new site")
    with translation.override("es"):
        assert hub.display_intake_reason == "Moving to a new site"
