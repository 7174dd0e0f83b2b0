"""Every form of the hub, the admin's included, reads numbers and dates with the shared fields
of hub/fields.py, and so the same way: digits of any script are read as ASCII digits, and
out-of-range dates and numbers are refused with a message."""

from collections.abc import Iterable
from datetime import date
from typing import Any, cast

import pytest
from django import forms
from django.contrib import admin
from django.test import RequestFactory
from django.urls import get_resolver, reverse

from deliveries.models import DestinationNeed, NeedPriority, Run, Stop
from deliveries.services import run_dispatch
from hub import fields
from hub.models import DropoffLine
from tests.factories import DestinationFactory, ItemFactory, StorageLocationFactory, UserFactory
from tests.intake import dropoff_form, line
from tests.runs import make_run, stock

# A Form's base class reads numbers or dates when it is one of these (a choice of a model
# object is left out: Django reads its primary key with int(), which takes any script).
READS_NUMBERS_OR_DATES = (
    forms.IntegerField,
    forms.DecimalField,
    forms.FloatField,
    forms.DateField,
    forms.DateTimeField,
    forms.TimeField,
    forms.SplitDateTimeField,
    forms.ChoiceField,
)

SHARED = (
    fields.IntegerField,
    fields.DecimalField,
    fields.DateField,
    fields.DateTimeField,
    fields.TimeField,
    fields.SplitDateTimeField,
    fields.ChoiceField,
    fields.TypedChoiceField,
)

# The two kinds of form class that declare fields (BaseForm has no base_fields).
ProjectForm = forms.Form | forms.ModelForm


def project_forms() -> list[type[ProjectForm]]:
    assert get_resolver().url_patterns  # imports every view, and so every form they use
    found: list[type[ProjectForm]] = []
    todo: list[type[ProjectForm]] = [forms.Form, forms.ModelForm]
    while todo:
        for form in todo.pop().__subclasses__():
            todo.append(form)
            if form.__module__.split(".")[0] in ("hub", "inventory", "deliveries"):
                found.append(form)
    return found


def admin_forms(superuser) -> list[tuple[str, type[ProjectForm]]]:
    request = RequestFactory().get("/admin/")
    request.user = superuser
    found: list[tuple[str, type[ProjectForm]]] = []
    for model_admin in admin.site._registry.values():
        found.append((str(model_admin), model_admin.get_form(request)))
        for inline in model_admin.get_inline_instances(request):
            found.append((str(inline), inline.get_formset(request).form))
    return found


def reads_numbers_or_dates(field: forms.Field) -> bool:
    if isinstance(field, forms.ModelChoiceField):
        return False
    if isinstance(field, forms.ChoiceField):
        # Django normalizes choices as they are set; the stubs type the getter as the setter.
        choices = cast(Iterable[tuple[Any, Any]], field.choices)
        return any(str(value).isdigit() for value, _label in choices)
    return isinstance(field, READS_NUMBERS_OR_DATES)


def unshared(name: str, form: type[ProjectForm]) -> list[str]:
    return [
        f"{name}.{field_name}: {type(field).__name__}"
        for field_name, field in form.base_fields.items()
        if reads_numbers_or_dates(field) and not isinstance(field, SHARED)
    ]


def test_it_reads_every_number_and_date_of_the_sites_forms_with_the_shared_fields():
    forms_found = project_forms()
    assert len(forms_found) > 15
    wrong = [line for form in forms_found for line in unshared(form.__qualname__, form)]
    assert wrong == []


def test_it_reads_every_number_and_date_of_the_admins_forms_with_the_shared_fields(db):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    wrong = [line for name, form in admin_forms(superuser) for line in unshared(name, form)]
    assert wrong == []


# --- digits of other scripts --------------------------------------------------------------

ARABIC_INDIC, FULLWIDTH, DEVANAGARI = "\u0660", "\uff10", "\u0966"


def written_in(script_zero: str, text: object) -> str:
    """`text` with its ASCII digits written in the script whose zero is `script_zero`."""
    return "".join(
        chr(ord(script_zero) + int(c)) if c.isascii() and c.isdigit() else c for c in str(text)
    )


@pytest.mark.parametrize("script", [ARABIC_INDIC, FULLWIDTH, DEVANAGARI])
def test_it_logs_a_dropoff_typed_in_other_digits(client, hub, volunteer, beans, script):
    client.force_login(volunteer)
    shelf = StorageLocationFactory(hub=hub)
    data = dropoff_form(
        written_in(script, shelf.pk),
        line(written_in(script, beans.pk), written_in(script, 12), expiry="2027-03-15"),
    )
    data["expiry_date"] = [written_in(script, "2027-03-15")]

    response = client.post(reverse("intake", args=[hub.slug]), data)

    assert response.status_code == 302
    logged = DropoffLine.objects.get()
    assert (logged.item, logged.quantity, logged.expiry_date) == (beans, 12, date(2027, 3, 15))


@pytest.mark.parametrize("script", [ARABIC_INDIC, FULLWIDTH, DEVANAGARI])
def test_it_adds_a_need_typed_in_other_digits(client, hub, coordinator, water, script):
    client.force_login(coordinator)
    shelter = DestinationFactory(hub=hub)
    data = {
        "item": written_in(script, water.pk),
        "category": "",
        "quantity": written_in(script, 40),
        "priority": written_in(script, NeedPriority.HIGH),
        "notes": "",
    }

    client.post(reverse("destination_need_add", args=[hub.slug, shelter.pk]), data)

    need = DestinationNeed.objects.get()
    assert (need.item, need.quantity, need.priority) == (water, 40, NeedPriority.HIGH)


@pytest.mark.parametrize("script", [ARABIC_INDIC, FULLWIDTH, DEVANAGARI])
def test_it_plans_a_run_and_its_stop_typed_in_other_digits(
    client, net, coordinator, volunteer, script
):
    client.force_login(coordinator)
    blankets = ItemFactory(name="Blankets")
    stock(net.garage, blankets, 30)
    data = {
        "driver": written_in(script, volunteer.pk),
        "vehicle": "",
        "planned_at": written_in(script, "2027-03-15T09:30"),
        "notes": "",
    }

    client.post(reverse("run_create", args=[net.hub.slug]), data)
    run = Run.objects.get()
    client.post(
        reverse("stop_create", args=[net.hub.slug, run.pk]),
        {
            "destination": written_in(script, net.shelter.pk),
            "item": written_in(script, blankets.pk),
            "quantity": written_in(script, 12),
        },
    )

    assert run.planned_at.year == 2027
    assert [(x.item, x.quantity) for x in Stop.objects.get(run=run).lines.all()] == [(blankets, 12)]


def test_it_reads_a_delivered_stops_returns_typed_in_other_digits(
    client, net, coordinator, volunteer
):
    client.force_login(volunteer)
    blankets = ItemFactory(name="Blankets")
    stock(net.garage, blankets, 30)
    run = make_run(
        hub=net.hub, driver=volunteer, user=coordinator, stops=[(net.shelter, [(blankets, 10)])]
    )
    run_dispatch(run=run, user=coordinator)
    stop = run.stops.get()
    stop_line = stop.lines.get()

    client.post(
        reverse("stop_deliver", args=[net.hub.slug, run.pk, stop.pk]),
        {"received_by": "Ana", "note": "", f"returned-{stop_line.pk}": written_in(FULLWIDTH, 3)},
    )

    stop_line.refresh_from_db()
    assert stop_line.returned == 3


def test_it_refuses_digits_that_are_not_decimal_digits(client, hub, coordinator):
    client.force_login(coordinator)

    response = client.get(reverse("reports", args=[hub.slug]), {"since": "²⁰²⁵-01-01"})

    assert response.status_code == 400
