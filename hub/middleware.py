from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


class HtmxMessagesMiddleware:
    """An htmx swap does not re-render the page's message area, so append the pending
    messages to the fragment as an out-of-band swap of #messages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            not getattr(request, "htmx", False)
            or response.status_code in (204, 301, 302, 303, 307, 308)
            or "HX-Redirect" in response
            or "HX-Refresh" in response
            or not response.get("Content-Type", "").startswith("text/html")
            or response.streaming
        ):
            return response
        messages = list(get_messages(request))
        if messages:
            response.write(
                render_to_string(
                    "includes/messages.html",
                    {"messages": messages, "oob": True},
                    request=request,
                )
            )
        return response
