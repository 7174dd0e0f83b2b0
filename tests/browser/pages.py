"""Checks and steps on a page that browser tests share."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

# Everything a finger taps: each must be at least 44 x 44 px.
TAPPABLE = "button, a, input:not([type=hidden]), select, textarea, summary"


def small_targets(page) -> list[str]:
    """The visible tappable elements smaller than 44 x 44 px, described for the message."""
    return page.eval_on_selector_all(
        TAPPABLE,
        """els => els.filter(e => e.offsetParent !== null)
                     .map(e => [e.outerHTML.slice(0, 80), e.getBoundingClientRect()])
                     .filter(([_, r]) => r.height < 44 || r.width < 44)
                     .map(([html, r]) => `${html} (${r.width}x${r.height})`)""",
    )


SERIOUS = ("serious", "critical")


def axe_violations(page, axe_source: str) -> list[str]:
    """The serious and critical accessibility violations axe-core finds on the page. axe is
    evaluated through the DevTools protocol, which the page's CSP does not govern."""
    page.evaluate(axe_source)
    violations = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:5])
        for v in violations
        if v["impact"] in SERIOUS
    ]


def log_in(page, live_server, username: str) -> None:
    """The browser logged in as `username`, with the session a login makes, without the login
    page: test_base_layout.py and test_languages_in_browser.py drive that page itself."""
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
