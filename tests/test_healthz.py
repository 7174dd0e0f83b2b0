"""/healthz/ is what docker-compose and load balancers probe: no login, no https redirect."""

from django.urls import reverse


def test_it_answers_ok_without_a_login(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.content == b"ok"
    assert "no-cache" in response["Cache-Control"]


def test_it_answers_plain_http_probes_while_pages_redirect_to_https(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get(reverse("healthz")).status_code == 200
    response = client.get(reverse("login"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")
