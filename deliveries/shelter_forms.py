"""The forms of a site's private needs link, and the coordinator's confirmation of a
request: an item or a category, a quantity (0: no longer needed) and an urgency."""

from django import forms
from django.utils.translation import gettext_lazy as _

from deliveries.forms import DestinationNeedForm
from deliveries.models import NeedRequest
from deliveries.shelter_services import DESCRIPTION_MAX
from hub import fields

QUANTITY_ERROR = _("Enter a whole number, 0 or more.")


class ShelterNeedForm(DestinationNeedForm):
    """What the site's contact fills in: no person's data is asked, only goods."""

    description = forms.CharField(
        label=_("In your words (if it is not in the list)"),
        max_length=DESCRIPTION_MAX,
        required=False,
    )
    quantity = fields.IntegerField(
        label=_("How many (0 if you have enough now)"),
        min_value=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={key: QUANTITY_ERROR for key in ("required", "invalid", "min_value")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_request_%s")
        super().__init__(*args, **kwargs)
        del self.fields["notes"]
        self.fields["category"].label = _("or a kind of thing")
        self.fields["priority"].label = _("How urgent")
        self.order_fields(["item", "category", "description", "quantity", "priority"])


class NeedConfirmForm(DestinationNeedForm):
    """The coordinator's reading of a request, as the standing need it becomes."""

    quantity = fields.IntegerField(
        label=_("Quantity (0 removes the need)"),
        min_value=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={key: QUANTITY_ERROR for key in ("required", "invalid", "min_value")},
    )

    def __init__(self, *args, need_request: NeedRequest | None = None, **kwargs):
        if need_request is not None:
            kwargs.setdefault("auto_id", f"id_confirm_{need_request.pk}_%s")
        super().__init__(*args, **kwargs)
        del self.fields["notes"]

    @staticmethod
    def initial_from(need_request: NeedRequest) -> dict:
        return {
            "item": need_request.item_id or "",
            "category": need_request.category_id or "",
            "quantity": need_request.quantity,
            "priority": need_request.priority,
        }
