"""The base layout every page shares: CSP, local htmx, CSRF for htmx, messages, languages."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django_htmx.middleware import HtmxDetails

from hub.middleware import HtmxMessagesMiddleware


def test_it_sends_a_csp_without_inline_scripts(client, db):
    csp = client.get(reverse("login"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'"


def test_it_serves_htmx_2_from_this_site(client, db):
    html = client.get(reverse("login")).text
    assert '<script src="/static/django_htmx/htmx-2.min.js"' in html
    assert "https://" not in html
    script = client.get("/static/django_htmx/htmx-2.min.js")
    assert script.status_code == 200
    assert b'version:"2.' in b"".join(script.streaming_content)


def test_it_sends_the_csrf_token_with_every_htmx_request(client, volunteer, hub):
    client.force_login(volunteer)
    response = client.get(reverse("hub_detail", args=[hub.slug]))
    token = response.cookies["csrftoken"].value if "csrftoken" in response.cookies else None
    assert 'hx-headers=\'{"X-CSRFToken": "' in response.text
    assert token is None or token not in response.text  # the masked form, not the cookie


def test_it_switches_to_spanish_and_back(client, db):
    response = client.post(reverse("set_language"), {"language": "es", "next": reverse("login")})
    assert response.status_code == 302
    page = client.get(reverse("login")).text
    assert '<html lang="es" dir="ltr">' in page
    assert "Iniciar sesión" in page

    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert "Log in" in client.get(reverse("login")).text


def request_with_message(rf: RequestFactory, text: str, *, htmx: bool):
    # Dressed by hand as the middleware would, with attributes a bare request lacks.
    request: Any = rf.get("/", headers={"HX-Request": "true"} if htmx else {})
    request.htmx = HtmxDetails(request)
    request.user = AnonymousUser()
    request.session = {}
    request._messages = FallbackStorage(request)
    messages.success(request, text)
    return request


def test_it_shows_messages_on_a_full_page(rf: RequestFactory, db):
    request = request_with_message(rf, "Dropoff logged", htmx=False)

    html = render_to_string("hub/home.html", {"hubs": []}, request=request)

    assert '<div id="messages"' in html
    assert "Dropoff logged" in html
    assert "hx-swap-oob" not in html


def test_it_adds_messages_to_htmx_fragments_out_of_band(rf: RequestFactory):
    request = request_with_message(rf, "Dropoff logged", htmx=True)

    response = HtmxMessagesMiddleware(lambda r: HttpResponse("<tr>row</tr>"))(request)

    html = response.content.decode()
    assert html.startswith("<tr>row</tr>")
    assert 'hx-swap-oob="true"' in html
    assert "Dropoff logged" in html


def test_it_keeps_messages_for_the_next_page_when_htmx_gets_no_content(rf: RequestFactory):
    request = request_with_message(rf, "Saved", htmx=True)

    response = HtmxMessagesMiddleware(lambda r: HttpResponse(status=204))(request)

    assert response.content == b""
    assert not request._messages.used  # so MessageMiddleware keeps it for the next page


def test_it_offers_the_languages_as_buttons_that_work_without_javascript(client, db):
    page = client.get(reverse("login")).text
    form = page[
        page.index('<form class="lang"') : page.index("</form>", page.index('<form class="lang"'))
    ]
    assert f'action="{reverse("set_language")}" method="post"' in form
    assert 'name="csrfmiddlewaretoken"' in form
    assert f'name="next" value="{reverse("login")}"' in form
    assert form.count('type="submit" name="language"') == 8
