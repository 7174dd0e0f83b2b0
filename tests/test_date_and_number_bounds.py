"""Dates and numbers out of any sensible range (a year 9999 or 0001, a number wider than the
database's) are refused with a message that says the range, store nothing, and never take a
page down: not the form's, not another hub's."""

from datetime import UTC, datetime

import pytest
from django.apps import apps as django_apps
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from deliveries.models import Run
from hub.models import CategoryIntake, Hub, IntakeStatus
from hub.stored_times import far_off_times_clamp
from tests.factories import CategoryFactory, HubFactory

RANGE = "Enter a date between 2000-01-01 and 2099-12-31."
FAR_FUTURE = "9999-12-31T23:59"
FAR_PAST = "0001-01-01T00:00"


@pytest.fixture
def as_admin(client, admin_user):
    client.force_login(admin_user)
    return client


def pages_that_show_intake(hub, other) -> list[str]:
    return [
        reverse("intake", args=[hub.slug]),
        reverse("intake_control", args=[hub.slug]),
        reverse("public_status"),
        reverse("public_feed"),
        reverse("public_hub_status", args=[other.slug]),
        reverse("hub_detail", args=[hub.slug]),
    ]


@pytest.mark.parametrize("reopens_at", [FAR_FUTURE, FAR_PAST, "2100-01-01T00:00"])
def test_it_refuses_a_hub_reopen_time_out_of_range_and_every_page_still_answers(
    as_admin, hub, reopens_at
):
    other = HubFactory(name="Pasadena Hub", slug="pasadena")
    url = reverse("intake_control", args=[hub.slug])
    data = {"action": "intake", "status": "closed", "reason": "Full", "reopens_at": reopens_at}

    response = as_admin.post(url, data)

    assert response.status_code == 200
    assert RANGE in response.text
    assert Hub.objects.get(pk=hub.pk).intake_status == IntakeStatus.OPEN
    for page in pages_that_show_intake(hub, other):
        assert as_admin.get(page).status_code == 200, page


def test_it_refuses_a_category_reopen_time_in_year_9999(as_admin, hub):
    clothing = CategoryFactory(code="clothing")
    row = f"category-{clothing.pk}"
    data = {
        "action": "intake",
        f"{row}-status": "closed",
        f"{row}-reason": "Too much",
        f"{row}-reopens_at": FAR_FUTURE,
    }

    response = as_admin.post(reverse("intake_control", args=[hub.slug]), data)

    assert RANGE in response.text
    assert not CategoryIntake.objects.filter(hub=hub).exists()


def test_it_refuses_a_run_planned_in_year_9999(client, hub, coordinator, volunteer):
    client.force_login(coordinator)
    data = {"driver": str(volunteer.pk), "vehicle": "", "planned_at": FAR_FUTURE, "notes": ""}

    response = client.post(reverse("run_create", args=[hub.slug]), data)

    assert response.status_code == 200
    assert RANGE in response.text
    assert not Run.objects.exists()
    assert client.get(reverse("run_list", args=[hub.slug])).status_code == 200


@pytest.mark.parametrize(
    "period",
    [
        {"since": "9999-12-25", "until": "9999-12-31"},
        {"since": "0001-01-01", "until": "0001-01-02"},
        {"since": "2025-01-01", "until": "9999-12-31"},
    ],
)
@pytest.mark.parametrize("page", ["reports", "delivery_report"])
def test_it_refuses_a_report_period_out_of_range(client, hub, coordinator, page, period):
    client.force_login(coordinator)

    response = client.get(reverse(page, args=[hub.slug]), period)

    assert response.status_code == 400
    assert RANGE in response.text


@pytest.mark.parametrize("export", ["export_dropoffs", "export_ledger"])
def test_it_refuses_an_export_period_ending_in_year_9999(client, hub, coordinator, export):
    client.force_login(coordinator)

    response = client.get(
        reverse(export, args=[hub.slug]), {"since": "9999-12-25", "until": "9999-12-31"}
    )

    assert response.status_code == 400
    assert RANGE in response.content.decode()


def test_it_sends_the_runs_export_of_a_period_ending_in_year_9999_back_to_the_report(
    client, hub, coordinator
):
    client.force_login(coordinator)

    response = client.get(
        reverse("run_export", args=[hub.slug]),
        {"since": "9999-12-25", "until": "9999-12-31"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == reverse("delivery_report", args=[hub.slug])
    assert RANGE in response.text


@pytest.mark.parametrize(
    "name", ["run_detail", "run_drive", "destination_detail", "item_detail", "dropoff_detail"]
)
def test_it_answers_404_for_an_id_wider_than_the_database(client, hub, coordinator, name):
    client.force_login(coordinator)
    url = reverse(name, args=[hub.slug, 99999999999999999999])

    assert Client().get(url).status_code == 302
    assert client.get(url).status_code == 404


def test_it_shows_every_page_when_stored_times_are_far_off(client, hub, coordinator, admin_user):
    """Values stored before forms were bounded (or by hand): the migration that clamps them
    leaves every page readable."""
    far = datetime(9999, 12, 31, 23, 59, tzinfo=timezone.get_default_timezone())
    other = HubFactory(name="Pasadena Hub", slug="pasadena")
    Hub.objects.filter(pk=hub.pk).update(intake_status=IntakeStatus.CLOSED, intake_reopens_at=far)
    CategoryIntake.objects.create(
        hub=other, category=CategoryFactory(code="pet"), status="closed", reopens_at=far
    )
    run = Run.objects.create(
        hub=hub, driver=coordinator, created_by=coordinator, planned_at=timezone.now()
    )
    Run.objects.filter(pk=run.pk).update(planned_at=far)
    past = Run.objects.create(
        hub=hub, driver=coordinator, created_by=coordinator, planned_at=timezone.now()
    )
    Run.objects.filter(pk=past.pk).update(planned_at=datetime(1, 1, 1, 0, tzinfo=UTC))

    far_off_times_clamp(apps=django_apps)

    client.force_login(admin_user)
    for page in [
        *pages_that_show_intake(hub, other),
        reverse("run_list", args=[hub.slug]),
        reverse("run_detail", args=[hub.slug, run.pk]),
        reverse("run_detail", args=[hub.slug, past.pk]),
    ]:
        assert client.get(page).status_code == 200, page
    hub.refresh_from_db()
    assert hub.intake_status == IntakeStatus.CLOSED
    assert hub.intake_reopens_at is None


def test_it_refuses_a_reopen_time_in_year_9999_in_the_admin(rf, admin_user):
    admin_user.is_superuser = True
    request = rf.get("/admin/")
    request.user = admin_user
    form = admin.site._registry[Hub].get_form(request)
    reopens_at = form.base_fields["intake_reopens_at"]

    with pytest.raises(ValidationError) as refused:
        reopens_at.clean(["9999-12-31", "23:59"])

    assert refused.value.messages == [RANGE]
    assert reopens_at.clean(["2030-01-10", "09:00"]).year == 2030
