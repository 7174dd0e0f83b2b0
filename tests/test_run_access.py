"""Who may use the run pages: coordinators and admins of the hub for everything; the run's
driver (any member) for its driver view and marking its stops; another volunteer gets
403, a member of another hub 404, and another hub's run 404."""

import pytest
from django.urls import reverse

from deliveries.models import RunStatus, StopStatus
from deliveries.services import RunDenied, run_cancel, run_create, run_dispatch
from tests.factories import RunFactory, UserFactory
from tests.intake import login
from tests.runs import make_run, stock


@pytest.fixture
def run(net, coordinator, volunteer, water):
    stock(net.garage, water, 50)
    return make_run(
        hub=net.hub, driver=volunteer, user=coordinator, stops=[(net.shelter, [(water, 5)])]
    )


def url(name, hub, *args):
    return reverse(name, args=[hub.slug, *args])


def coordinator_pages(hub, run, net) -> list[tuple[str, str]]:
    stop = run.stops.get()
    return [
        ("get", url("run_list", hub)),
        ("get", url("run_create", hub)),
        ("post", url("run_create", hub)),
        ("get", url("run_detail", hub, run.pk)),
        ("get", url("run_edit", hub, run.pk)),
        ("post", url("run_edit", hub, run.pk)),
        ("get", url("run_pick_list", hub, run.pk)),
        ("get", url("stop_create", hub, run.pk) + f"?destination={net.to_other_hub.pk}"),
        ("post", url("stop_create", hub, run.pk)),
        ("get", url("stop_line_row", hub, run.pk)),
        ("get", url("stop_edit", hub, run.pk, stop.pk)),
        ("post", url("stop_edit", hub, run.pk, stop.pk)),
        ("post", url("stop_move", hub, run.pk, stop.pk)),
        ("post", url("stop_remove", hub, run.pk, stop.pk)),
        ("post", url("run_picking_start", hub, run.pk)),
        ("post", url("run_dispatch", hub, run.pk)),
        ("post", url("run_cancel", hub, run.pk)),
        ("get", url("delivery_report", hub)),
        ("get", url("run_export", hub)),
    ]


def driver_pages(hub, run) -> list[tuple[str, str]]:
    stop = run.stops.get()
    return [
        ("get", url("run_drive", hub, run.pk)),
        ("post", url("stop_deliver", hub, run.pk, stop.pk)),
    ]


def test_the_driver_may_not_plan_or_dispatch(client, hub, net, volunteer, run):
    login(client, volunteer)
    for method, address in coordinator_pages(hub, run, net):
        assert getattr(client, method)(address).status_code == 403, address
    run.refresh_from_db()
    assert (run.status, run.stops.count()) == (RunStatus.DRAFT, 1)


def test_the_run_services_refuse_a_volunteer_or_another_hubs_coordinator(
    hub, volunteer, outsider, run
):
    """Called from the shell or a task as well as from the pages, they check the user."""
    for user in (volunteer, outsider):
        with pytest.raises(RunDenied, match="Only a coordinator of West Adams Hub"):
            run_dispatch(run=run, user=user)
        with pytest.raises(RunDenied):
            run_cancel(run=run, user=user)
        with pytest.raises(RunDenied):
            run_create(hub=hub, driver=volunteer, vehicle="", planned_at=run.planned_at, user=user)
    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT
    assert hub.runs.count() == 1


def test_the_driver_opens_the_driver_view(client, hub, volunteer, run):
    assert login(client, volunteer).get(url("run_drive", hub, run.pk)).status_code == 200


def test_another_volunteer_may_not_drive_the_run(client, hub, run, coordinator):
    run_dispatch(run=run, user=coordinator)
    stranger = UserFactory(role="Volunteer", hubs=[hub])
    login(client, stranger)
    for method, address in driver_pages(hub, run):
        assert getattr(client, method)(address, {"received_by": "Ana"}).status_code == 403
    assert run.stops.get().status == StopStatus.PENDING


def test_a_member_of_another_hub_gets_404(client, hub, net, outsider, run):
    login(client, outsider)
    for method, address in coordinator_pages(hub, run, net) + driver_pages(hub, run):
        assert getattr(client, method)(address).status_code == 404, address
    run.refresh_from_db()
    assert run.status == RunStatus.DRAFT


def test_another_hubs_run_is_404(client, hub, other_hub, coordinator):
    theirs = RunFactory(hub=other_hub)
    login(client, coordinator)
    for name in ("run_detail", "run_pick_list", "run_drive", "run_edit"):
        assert client.get(url(name, hub, theirs.pk)).status_code == 404, name
    for name in ("run_dispatch", "run_cancel", "run_picking_start"):
        assert client.post(url(name, hub, theirs.pk)).status_code == 404, name
    theirs.refresh_from_db()
    assert theirs.status == RunStatus.DRAFT


def test_a_stop_of_another_run_is_404(client, hub, net, coordinator, run, water):
    other = make_run(
        hub=hub, driver=coordinator, user=coordinator, stops=[(net.to_other_hub, [(water, 1)])]
    )
    their_stop = other.stops.get()
    login(client, coordinator)

    assert client.post(url("stop_remove", hub, run.pk, their_stop.pk)).status_code == 404
    assert client.get(url("stop_edit", hub, run.pk, their_stop.pk)).status_code == 404
    assert other.stops.count() == 1


def test_an_admin_may_do_everything(client, hub, admin_user, run):
    login(client, admin_user)
    for name in ("run_detail", "run_pick_list", "run_drive"):
        assert client.get(url(name, hub, run.pk)).status_code == 200, name
