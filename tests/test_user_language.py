"""Each person's language is remembered, applied at login and on every request, and dates
and numbers follow it; the English/Español switch still works before login."""

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from hub.models import LanguagePreference
from tests.coordinator import receive
from tests.factories import PASSWORD, StorageLocationFactory


def choose(client, language, next_url="/"):
    return client.post(reverse("set_language"), {"language": language, "next": next_url})


def test_it_switches_the_login_page_before_login(client, db):
    choose(client, "es")
    assert "Iniciar sesión" in client.get(reverse("login")).text
    assert not LanguagePreference.objects.exists()


def test_it_remembers_the_choice_of_a_person_logged_in(client, coordinator, hub):
    client.force_login(coordinator)
    choose(client, "es")
    assert LanguagePreference.objects.get(user=coordinator).language == "es"
    assert 'lang="es"' in client.get(reverse("stock_list", args=[hub.slug])).text


def test_it_applies_the_choice_at_login_on_another_device(client, coordinator, hub):
    LanguagePreference.objects.create(user=coordinator, language="es")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # a tablet left in English

    client.post(reverse("login"), {"username": "carlos", "password": PASSWORD})
    response = client.get(reverse("stock_list", args=[hub.slug]), headers={"accept-language": "en"})

    assert 'lang="es"' in response.text and "<h1>Inventario</h1>" in response.text
    # The device follows, so the login page after logout is in their language too.
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "es"


def test_it_keeps_each_persons_language_apart(client, coordinator, volunteer, hub):
    LanguagePreference.objects.create(user=coordinator, language="es")
    client.force_login(volunteer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert 'lang="en"' in client.get(reverse("intake", args=[hub.slug])).text


def test_it_ignores_an_unknown_language(client, coordinator):
    client.force_login(coordinator)
    choose(client, "xx")
    assert not LanguagePreference.objects.exists()


@pytest.mark.parametrize(
    ("language", "expiry", "litres", "percent"),
    [
        ("en", "01/31/2030", ["1,600", "10,000"], "16.0 %"),
        ("es", "31/01/2030", ["1\xa0600", "10\xa0000"], "16,0 %"),
    ],
)
def test_it_formats_dates_and_numbers_in_the_persons_language(
    client, coordinator, hub, beans, language, expiry, litres, percent
):
    hall = StorageLocationFactory(hub=hub, capacity_litres=Decimal("10000"))
    receive(hall, beans, 3200, expiry=date(2030, 1, 31))
    LanguagePreference.objects.create(user=coordinator, language=language)
    client.force_login(coordinator)

    stock = client.get(reverse("stock_list", args=[hub.slug])).text
    dashboard = client.get(reverse("dashboard", args=[hub.slug])).text

    assert expiry in stock
    assert all(number in dashboard for number in litres)
    assert percent in dashboard
    assert 'value="16.0"' in dashboard  # the gauge's own value is never localized
