from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from hub.models import Hub
from hub.validators import single_line

if TYPE_CHECKING:
    from inventory.picking import Missing


class DestinationKind(models.TextChoices):
    SHELTER = "shelter", _("shelter")
    CHURCH = "church", _("church")
    CAMP = "camp", _("camp")
    FIRE_STATION = "fire_station", _("fire station")
    OTHER_HUB = "other_hub", _("another hub")


class Destination(models.Model):
    """A site that a hub delivers to. Deliveries go to sites, never to screened people."""

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="destinations")
    name = models.CharField(_("name"), max_length=120, validators=[single_line])
    kind = models.CharField(_("kind"), max_length=16, choices=DestinationKind.choices)
    address = models.CharField(_("address"), max_length=255, blank=True)
    contact_name = models.CharField(
        _("contact name"), max_length=120, blank=True, validators=[single_line]
    )
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    receiving_hub = models.ForeignKey(
        Hub,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("receiving hub"),
        help_text=_("For another hub of the network: goods delivered there enter its stock."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # The SHA-256 of the site's private needs link: the link itself is shown once, when made,
    # so a leaked database does not open it. A new link replaces it (the old one stops).
    request_token_hash = models.CharField(
        max_length=64, unique=True, null=True, blank=True, editable=False
    )
    request_link_created_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["hub", "name"], name="destination_unique_per_hub"),
            models.CheckConstraint(
                condition=Q(kind="other_hub", receiving_hub__isnull=False)
                | (~Q(kind="other_hub") & Q(receiving_hub__isnull=True)),
                name="destination_other_hub_has_hub",
            ),
        ]
        verbose_name = _("destination")
        verbose_name_plural = _("destinations")

    def __str__(self) -> str:
        return self.name


class NeedPriority(models.IntegerChoices):
    # Lower sorts first: the most urgent need comes first.
    HIGH = 1, _("high")
    NORMAL = 2, _("normal")
    LOW = 3, _("low")


class DestinationNeed(models.Model):
    """What a destination needs on a standing basis: so many units of one item, or of any
    item of one category. Shown to the public only summed per item or category."""

    destination = models.ForeignKey(
        Destination, on_delete=models.CASCADE, related_name="needs", verbose_name=_("destination")
    )
    item = models.ForeignKey(
        "inventory.Item",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("item"),
    )
    category = models.ForeignKey(
        "inventory.Category",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("category"),
        help_text=_("When any item of the category will do."),
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    priority = models.PositiveSmallIntegerField(
        _("priority"), choices=NeedPriority.choices, default=NeedPriority.NORMAL
    )
    notes = models.CharField(_("notes"), max_length=255, blank=True)

    class Meta:
        ordering = ["priority", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(item__isnull=False, category__isnull=True)
                | Q(item__isnull=True, category__isnull=False),
                name="destination_need_item_xor_category",
                violation_error_message=_(
                    "Choose an item or a category: one of the two, not both."
                ),
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="destination_need_quantity_positive"
            ),
            models.UniqueConstraint(
                fields=["destination", "item"],
                condition=Q(item__isnull=False),
                name="destination_need_unique_item",
                violation_error_message=_("This destination already lists that item."),
            ),
            models.UniqueConstraint(
                fields=["destination", "category"],
                condition=Q(category__isnull=False),
                name="destination_need_unique_category",
                violation_error_message=_("This destination already lists that category."),
            ),
        ]
        verbose_name = _("need")
        verbose_name_plural = _("needs")

    def __str__(self) -> str:
        return f"{self.quantity} {self.item or self.category} @ {self.destination}"


class NeedRequestStatus(models.TextChoices):
    NEW = "new", _("new")
    CONFIRMED = "confirmed", _("confirmed")
    DISMISSED = "dismissed", _("dismissed")


class NeedRequest(models.Model):
    """What a site's contact asked for through its private link, waiting for a coordinator
    to confirm it into a standing need. A catalog item, or a category with the contact's
    own words; a quantity of 0 says a standing need is met. Nothing about the people the
    site serves is asked."""

    destination = models.ForeignKey(
        Destination, on_delete=models.CASCADE, related_name="need_requests"
    )
    item = models.ForeignKey(
        "inventory.Item", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    category = models.ForeignKey(
        "inventory.Category", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    description = models.CharField(_("what"), max_length=120, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))
    priority = models.PositiveSmallIntegerField(
        _("urgency"), choices=NeedPriority.choices, default=NeedPriority.NORMAL
    )
    status = models.CharField(
        _("status"), max_length=10, choices=NeedRequestStatus.choices, default=NeedRequestStatus.NEW
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["destination", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(item__isnull=False) | Q(category__isnull=False),
                name="need_request_item_or_category",
            ),
        ]
        verbose_name = _("need request")
        verbose_name_plural = _("need requests")

    def __str__(self) -> str:
        return f"{self.quantity} {self.item or self.description or self.category}"


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    PICKING = "picking", _("picking")
    OUT_FOR_DELIVERY = "out_for_delivery", _("out for delivery")
    DELIVERED = "delivered", _("delivered")
    PARTIALLY_DELIVERED = "partially_delivered", _("partially delivered")
    CANCELLED = "cancelled", _("cancelled")


# Before dispatch a run's stops and lines may change and it may be cancelled; after it, the
# stock has left and only deliveries and returns change it.
RUN_OPEN_STATUSES = (RunStatus.DRAFT, RunStatus.PICKING)


class Run(models.Model):
    """A trip by one driver from the hub to one or more stops. Dispatch takes every line of
    every stop out of stock at once; each stop is then delivered, wholly or in part."""

    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="runs")
    driver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="runs_driven",
        verbose_name=_("driver"),
        help_text=_("A member of the hub; they see the run on their phone."),
    )
    vehicle = models.CharField(_("vehicle"), max_length=120, blank=True)
    planned_at = models.DateTimeField(_("planned for"))
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=RunStatus.choices, default=RunStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    # Not a column: the stock it is short of, set by the run list on the runs it shows.
    uncovered: "list[Missing]"

    class Meta:
        ordering = ["-planned_at", "-pk"]
        indexes = [models.Index(fields=["hub", "planned_at"])]
        verbose_name = _("delivery run")
        verbose_name_plural = _("delivery runs")

    def __str__(self) -> str:
        return _("Run %(number)d") % {"number": self.pk}

    @property
    def is_open(self) -> bool:
        return self.status in RUN_OPEN_STATUSES


class StopStatus(models.TextChoices):
    PENDING = "pending", _("to deliver")
    DELIVERED = "delivered", _("delivered")
    PARTIAL = "partial", _("partially delivered")


class Stop(models.Model):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="stops")
    destination = models.ForeignKey(
        Destination, on_delete=models.PROTECT, related_name="stops", verbose_name=_("destination")
    )
    position = models.PositiveSmallIntegerField(_("order"))
    status = models.CharField(
        _("status"), max_length=12, choices=StopStatus.choices, default=StopStatus.PENDING
    )
    received_by = models.CharField(_("received by"), max_length=120, blank=True)
    note = models.TextField(_("note"), blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    delivered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["run", "position"]
        constraints = [
            models.UniqueConstraint(fields=["run", "position"], name="stop_unique_position"),
            models.UniqueConstraint(fields=["run", "destination"], name="stop_unique_destination"),
        ]
        verbose_name = _("stop")
        verbose_name_plural = _("stops")

    def __str__(self) -> str:
        return f"{self.position}. {self.destination}"


class StopLine(models.Model):
    """So many units of one item for one stop. `returned` is what came back undelivered."""

    stop = models.ForeignKey(Stop, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(
        "inventory.Item", on_delete=models.PROTECT, related_name="+", verbose_name=_("item")
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    returned = models.PositiveIntegerField(_("brought back"), default=0)

    class Meta:
        ordering = ["stop", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["stop", "item"], name="stop_line_unique_item"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="stop_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(returned__gte=0, returned__lte=F("quantity")),
                name="stop_line_returned_within_quantity",
            ),
        ]
        verbose_name = _("line")
        verbose_name_plural = _("lines")

    def __str__(self) -> str:
        return f"{self.quantity} {self.item}"

    @property
    def delivered(self) -> int:
        return self.quantity - self.returned


class TransferStatus(models.TextChoices):
    IN_TRANSIT = "in_transit", _("in transit")
    SETTLED = "settled", _("settled")


class Transfer(models.Model):
    """Goods on their way from one hub of the network to another: out of the sender's
    stock, not yet in the receiver's. They enter the receiver's stock only when someone
    there counts them into a location with room (deliveries.transfers)."""

    from_hub = models.ForeignKey(
        Hub, on_delete=models.PROTECT, related_name="transfers_out", verbose_name=_("from")
    )
    to_hub = models.ForeignKey(
        Hub, on_delete=models.PROTECT, related_name="transfers_in", verbose_name=_("to")
    )
    # Sent on a run's stop; a pickup by the receiving hub has none.
    stop = models.OneToOneField(
        Stop, on_delete=models.PROTECT, null=True, blank=True, related_name="transfer"
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=TransferStatus.choices,
        default=TransferStatus.IN_TRANSIT,
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["to_hub", "status"]),
            models.Index(fields=["from_hub", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_hub=F("to_hub")), name="transfer_between_two_hubs"
            )
        ]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")

    def __str__(self) -> str:
        return _("Transfer %(number)d") % {"number": self.pk}


class TransferLine(models.Model):
    """So many units of one item (and expiry date) sent. Of them, `received` entered the
    receiver's stock, `short` did not arrive, `returned` went back into the sender's stock;
    the rest is still in transit. `extra` arrived beyond what was sent."""

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(
        "inventory.Item", on_delete=models.PROTECT, related_name="+", verbose_name=_("item")
    )
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)
    quantity = models.PositiveIntegerField(_("sent"))
    received = models.PositiveIntegerField(_("received"), default=0)
    short = models.PositiveIntegerField(_("short"), default=0)
    extra = models.PositiveIntegerField(_("extra"), default=0)
    returned = models.PositiveIntegerField(_("sent back"), default=0)

    class Meta:
        ordering = ["transfer", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="transfer_line_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gte=F("received") + F("short") + F("returned")),
                name="transfer_line_settled_within_sent",
            ),
        ]
        verbose_name = _("transfer line")
        verbose_name_plural = _("transfer lines")

    def __str__(self) -> str:
        return f"{self.quantity} {self.item}"

    @property
    def in_transit(self) -> int:
        return self.quantity - self.received - self.short - self.returned
