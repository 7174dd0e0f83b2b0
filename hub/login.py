"""The login form."""

from typing import cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    """Django's, with the username's length checked before anyone authenticates it:
    AuthenticationForm sets the field's max_length after the field is built, so nothing
    enforces it, and a name longer than the lockout's records (django-axes stores it) failed
    there. No user has such a name: it is a wrong username like any other."""

    def clean(self):
        # AuthenticationForm.__init__ always sets the field's max_length to a number.
        max_length = cast(int, cast(forms.CharField, self.fields["username"]).max_length)
        if len(self.cleaned_data.get("username") or "") > max_length:
            raise self.get_invalid_login_error()
        return super().clean()
