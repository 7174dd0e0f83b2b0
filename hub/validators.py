"""Text that reaches a mail header, a CSV cell or a chat message as a name must be one line:
a line break in a location's name would make its alert's e-mail subject an invalid header."""

import re

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# C0 and C1 control characters (line feed, carriage return, tab, escape...) and the Unicode
# line and paragraph separators.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")

single_line = RegexValidator(
    CONTROL_CHARACTERS,
    message=_("Write it on one line, without line breaks, tabs or other control characters."),
    code="control_characters",
    inverse_match=True,
)


def one_line(text: str) -> str:
    """`text` made safe for a one-line place (a mail header): each run of control
    characters and spaces becomes one space. For text stored before names were checked."""
    return " ".join(CONTROL_CHARACTERS.sub(" ", text).split())
