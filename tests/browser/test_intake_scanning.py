"""Scanning at the table (issue 16): a handheld scanner typing into the search box, the
camera (an injected BarcodeDetector), and a photo read by the vendored ZXing; a known
code adds its line (again: one more), an unknown one opens the "not in the list" item
with the code, which the next scan then finds; a location's label picks the location."""

import re
from decimal import Decimal

import pytest
import segno
from django.urls import reverse
from playwright.sync_api import expect

from hub.models import Dropoff
from inventory.models import Item, ItemBarcode
from tests.browser.pages import log_in
from tests.browser.test_intake_in_browser import line, lines, open_intake
from tests.factories import ItemBarcodeFactory, StorageLocationFactory

pytestmark = pytest.mark.django_db(transaction=True)

UNKNOWN = "4006381333931"  # a valid EAN-13 no item has


@pytest.fixture
def shelves(hub):
    return [
        StorageLocationFactory(hub=hub, name="Main hall", capacity_litres=Decimal("10000")),
        StorageLocationFactory(hub=hub, name="Back room", capacity_litres=Decimal("9000")),
    ]


@pytest.fixture
def water_code(water):
    # Printed as UPC-A 012345678905; kept as 14 digits.
    return ItemBarcodeFactory(item=water, gtin="00012345678905")


def scanner_types(page, code: str) -> None:
    """A USB or Bluetooth scanner: the digits, fast, then Enter, into the search box."""
    page.locator("#item-search").click()
    page.keyboard.type(code, delay=5)
    page.keyboard.press("Enter")


def quantity(page, item):
    return line(page, item).locator("input[name=quantity]")


def test_it_adds_lines_from_a_handheld_scanner(
    page, live_server, hub, volunteer, shelves, water, water_code, csp_violations
):
    open_intake(page, live_server, hub)
    page.wait_for_function("() => window.dhTable && window.dhTable.itemByCode('00012345678905')")
    scanner_types(page, "012345678905")
    expect(quantity(page, water)).to_have_value("1")
    scanner_types(page, "012345678905")
    expect(quantity(page, water)).to_have_value("2")
    expect(page.locator("#item-search")).to_have_value("")

    # Unknown: the "not in the list" item opens with the code, to be named.
    scanner_types(page, UNKNOWN)
    expect(page.locator("#unlisted")).to_have_attribute("open", "")
    expect(page.locator("#unlisted-code")).to_contain_text(UNKNOWN)
    page.locator("#unlisted-name").fill("Camping stove")
    page.locator(".add-unlisted").click()
    stove = page.locator("#lines .line", has_text="Camping stove")
    expect(stove.locator("input[name=new_barcode]")).to_have_value("0" + UNKNOWN)
    scanner_types(page, UNKNOWN)  # the same box again, before it is logged: one more
    expect(stove.locator("input[name=quantity]")).to_have_value("2")
    expect(lines(page)).to_have_count(2)
    assert csp_violations == []
    page.locator("#intake-form button.submit").click()
    expect(page.locator(".confirmation h2")).to_have_text(re.compile(r"Logged dropoff #\d+"))

    new_item = Item.objects.get(name="Camping stove")
    assert new_item.needs_review
    assert ItemBarcode.objects.get(gtin="0" + UNKNOWN).item == new_item
    got = sorted((li.item.name, li.quantity) for li in Dropoff.objects.get().lines.all())
    assert got == [("Bottled water 1.5 L", 2), ("Camping stove", 2)]

    # The next scan of it knows it, though the tablet's catalog copy is older.
    scanner_types(page, UNKNOWN)
    expect(page.locator("#lines .line", has_text="Camping stove")).to_have_count(1)
    expect(page.locator("#lines input[name=item]")).to_have_value(str(new_item.pk))


def test_it_adds_a_scanned_line_from_the_device_s_catalog_offline(
    page, context, live_server, hub, volunteer, shelves, water, beans, water_code
):
    ItemBarcodeFactory(item=beans, gtin="04006381333931")
    open_intake(page, live_server, hub)
    page.wait_for_function("() => window.dhTable && window.dhTable.itemByCode('00012345678905')")
    context.set_offline(True)
    scanner_types(page, "0012345678905")
    scanner_types(page, "4006381333931")
    scanner_types(page, "012345678905")
    expect(quantity(page, water)).to_have_value("2")
    expect(quantity(page, beans)).to_have_value("1")
    expect(line(page, beans).locator("input[type=date]")).to_be_visible()
    scanner_types(page, "5901234123457")  # valid, unknown
    expect(page.locator("#unlisted-code")).to_contain_text("5901234123457")
    context.set_offline(False)


INJECTED_CAMERA = """
window.__codes = [];
window.BarcodeDetector = class {
  static getSupportedFormats() { return Promise.resolve(['ean_13', 'upc_a', 'qr_code']); }
  detect() {
    const code = window.__codes.shift();
    return Promise.resolve(code ? [{rawValue: code}] : []);
  }
};
const canvas = document.createElement('canvas');
canvas.width = 64; canvas.height = 48;
navigator.mediaDevices.getUserMedia = () => Promise.resolve(canvas.captureStream(5));
"""


def test_it_reads_codes_and_labels_from_the_camera(
    page, live_server, hub, volunteer, shelves, water, water_code
):
    page.add_init_script(INJECTED_CAMERA)
    open_intake(page, live_server, hub)
    page.wait_for_function("() => window.dhTable && window.dhTable.itemByCode('00012345678905')")
    scan = page.locator("[data-scan-open]")

    page.evaluate("window.__codes.push('0012345678905')")
    scan.click()
    expect(quantity(page, water)).to_have_value("1")
    expect(page.locator("[data-scan-dialog]")).to_be_hidden()

    back_room = shelves[1]
    label = live_server.url + reverse("location_count", args=[hub.slug, back_room.pk])
    page.evaluate("code => window.__codes.push(code)", label)
    scan.click()
    expect(page.locator("#intake-form select[name=location]")).to_have_value(str(back_room.pk))
    expect(page.locator("[data-scan-note]")).to_contain_text("Back room")


def test_it_reads_a_label_from_a_photo_with_zxing(
    page, live_server, hub, volunteer, shelves, tmp_path
):
    open_intake(page, live_server, hub)
    assert page.evaluate("!('BarcodeDetector' in window)"), "this Chromium has a detector"
    back_room = shelves[1]
    label = live_server.url + reverse("location_count", args=[hub.slug, back_room.pk])
    photo = tmp_path / "label.png"
    segno.make(label, error="m").save(photo, scale=6, border=4)
    page.locator("[data-scan-open]").click()
    page.locator("[data-scan-photo]").set_input_files(photo)
    expect(page.locator("#intake-form select[name=location]")).to_have_value(str(back_room.pk))


def test_it_opens_a_location_from_its_label_on_the_stock_page(
    page, live_server, hub, coordinator, shelves
):
    page.add_init_script(INJECTED_CAMERA)
    log_in(page, live_server, "carlos")
    page.goto(live_server.url + reverse("stock_list", args=[hub.slug]))
    back_room = shelves[1]
    count = reverse("location_count", args=[hub.slug, back_room.pk])
    page.evaluate("code => window.__codes.push(code)", live_server.url + count)
    page.locator("[data-scan-open]").click()
    page.wait_for_url(live_server.url + count)
    expect(page.locator("h1")).to_have_text("Count Back room")

    # A handheld scanner typing the label into the stock search does the same.
    page.goto(live_server.url + reverse("stock_list", args=[hub.slug]))
    page.locator("#id_q").fill(live_server.url + count)
    page.locator("#id_q").press("Enter")
    page.wait_for_url(live_server.url + count)
