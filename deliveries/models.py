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
