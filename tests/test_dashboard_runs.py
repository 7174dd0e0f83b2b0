"""The dashboard's runs of the day and the reports' deliveries per destination, read from
the delivery runs."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from deliveries.services import run_create, run_dispatch, stop_deliver
from tests.coordinator import query_count
from tests.runs import make_run, stock


def test_it_lists_todays_runs_only(client, coordinator, volunteer, hub, net, water):
    stock(net.hall, water, 50)
    make_run(hub=hub, driver=volunteer, user=coordinator, stops=[(net.shelter, [(water, 12)])])
    run_create(
        hub=hub,
        driver=volunteer,
        vehicle="Van",
        planned_at=timezone.now() + timedelta(days=2),
        user=coordinator,
    )
    client.force_login(coordinator)

    html = client.get(reverse("dashboard", args=[hub.slug])).text
    runs = html.split('id="dash-runs"')[1].split("</section>")[0]

    assert runs.count('<tr><th scope="row">') == 1
    assert "vera" in runs and "draft" in runs
    assert '<td class="num">1</td><td class="num">12</td>' in runs


def test_it_reports_what_was_delivered_per_destination(
    client, coordinator, volunteer, hub, net, water, django_assert_num_queries
):
    stock(net.hall, water, 100)

    def deliver(destination, quantity):
        run = make_run(
            hub=hub, driver=volunteer, user=coordinator, stops=[(destination, [(water, quantity)])]
        )
        run_dispatch(run=run, user=coordinator)
        stop_deliver(stop=run.stops.get(), user=volunteer, received_by="M", note="", returned={})

    deliver(net.shelter, 10)
    client.force_login(coordinator)
    url = reverse("reports", args=[hub.slug])
    client.get(url)
    small, response = query_count(lambda: client.get(url))
    section = response.text.split('id="delivered-heading"')[1].split("</section>")[0]
    assert 'Pasadena Convention Center</th><td class="num">1</td><td class="num">10</td>' in section

    for _n in range(5):
        deliver(net.to_other_hub, 3)
    with django_assert_num_queries(small):
        html = client.get(url).text
    assert 'Pasadena Hub</th><td class="num">5</td><td class="num">15</td>' in html
