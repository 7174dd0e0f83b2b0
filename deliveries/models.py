from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from hub.models import Hub


class DestinationKind(models.TextChoices):
    SHELTER = "shelter", _("shelter")
    CHURCH = "church", _("church")
    CAMP = "camp", _("camp")
    FIRE_STATION = "fire_station", _("fire station")
    OTHER_HUB = "other_hub", _("another hub")


class Destination(models.Model):
    """A site that a hub delivers to. Deliveries go to sites, never to screened people."""

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="destinations")
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=DestinationKind.choices)
    address = models.CharField(_("address"), max_length=255, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=120, blank=True)
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
