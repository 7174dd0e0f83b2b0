"""Checks on a page that browser tests share."""

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
