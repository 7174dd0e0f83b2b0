"""The totals delivered per destination and per category over a date range, and the CSV
export of run lines, streamed and safe to open in a spreadsheet."""

import csv
import io

import pytest
import time_machine
from django.http import StreamingHttpResponse
from django.urls import reverse

from deliveries.models import Destination
from deliveries.services import run_dispatch, stop_deliver
from tests.intake import login
from tests.runs import make_run, stock


@pytest.fixture
def delivered(net, coordinator, volunteer, water, beans):
    """A run on 9 January 2025: 20 water and 10 beans to the shelter, 2 beans brought back."""
    stock(net.garage, water, 50)
    stock(net.hall, beans, 30)
    with time_machine.travel("2025-01-09 18:00Z", tick=False):
        run = make_run(
            hub=net.hub,
            driver=volunteer,
            user=coordinator,
            stops=[(net.shelter, [(water, 20), (beans, 10)])],
        )
        run_dispatch(run=run, user=coordinator)
        stop = run.stops.get()
        back = {line.pk: 2 if line.item == beans else 0 for line in stop.lines.all()}
        stop_deliver(
            stop=stop, user=volunteer, received_by="=cmd|' /C calc'!A0", note="", returned=back
        )
    return run


def url(name, hub):
    return reverse(name, args=[hub.slug])


def test_it_totals_what_was_delivered_over_the_days(client, hub, coordinator, delivered):
    page = login(client, coordinator).get(
        url("delivery_report", hub), {"since": "2025-01-01", "until": "2025-01-31"}
    )

    rows = page.context["by_destination"]
    assert [(r.name, r.units) for r in rows] == [("Pasadena Convention Center", 28)]
    assert "Pasadena Convention Center" in page.text
    assert f"{url('run_export', hub)}?since=2025-01-01&amp;until=2025-01-31" in page.text


def test_it_leaves_out_other_days(client, hub, coordinator, delivered):
    page = login(client, coordinator).get(
        url("delivery_report", hub), {"since": "2025-01-10", "until": "2025-01-31"}
    )

    assert page.context["by_destination"] == []
    assert "Nothing delivered over these days." in page.text


def test_it_refuses_a_range_that_ends_before_it_starts(client, hub, coordinator, delivered):
    page = login(client, coordinator).get(
        url("delivery_report", hub), {"since": "2025-01-31", "until": "2025-01-01"}
    )

    assert "The end must be on or after the start." in page.text
    assert "by_destination" not in page.context


def test_it_exports_the_runs_as_csv(client, hub, coordinator, delivered, water, beans):
    response = login(client, coordinator).get(
        url("run_export", hub), {"since": "2025-01-09", "until": "2025-01-09"}
    )

    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "runs-west-adams-2025-01-09-2025-01-09.csv" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r["item"], r["quantity"], r["brought_back"], r["delivered"]) for r in rows] == [
        ("Bottled water 1.5 L", "20", "0", "20"),
        ("Canned beans", "10", "2", "8"),
    ]
    # A name that a spreadsheet would run as a formula is written as text.
    assert rows[0]["received_by"] == "'=cmd|' /C calc'!A0"


def test_it_exports_nothing_outside_the_range(client, hub, coordinator, delivered):
    response = login(client, coordinator).get(
        url("run_export", hub), {"since": "2025-02-01", "until": "2025-02-28"}
    )

    lines = b"".join(response.streaming_content).decode().splitlines()
    assert len(lines) == 1  # the header only
    assert lines[0].startswith("\ufeffrun,planned_at,")  # UTF-8 mark for spreadsheets


def test_it_sends_a_bad_range_back_to_the_report(client, hub, coordinator):
    response = login(client, coordinator).get(
        url("run_export", hub), {"since": "soon", "until": "2025-02-28"}, follow=True
    )

    assert "Enter a date, e.g. 2025-01-10." in response.text


def test_a_destination_name_is_guarded_too(client, hub, coordinator, delivered):
    Destination.objects.filter(name="Pasadena Convention Center").update(name="@shelter")

    response = login(client, coordinator).get(
        url("run_export", hub), {"since": "2025-01-09", "until": "2025-01-09"}
    )

    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {r["destination"] for r in rows} == {"'@shelter"}
