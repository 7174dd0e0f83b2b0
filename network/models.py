"""What hubs of the network offer each other: surplus stock, and the claims other hubs make
on it. The goods themselves move as transfers (deliveries.Transfer), on a run of the
offering hub or picked up by the claiming hub."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from deliveries.models import Stop, Transfer
from hub.models import Hub


class Offer(models.Model):
    """So many units of an item a hub can give away, until a date."""

    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="offers")
    item = models.ForeignKey(
        "inventory.Item", on_delete=models.PROTECT, related_name="+", verbose_name=_("item")
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    until = models.DateField(_("until"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        ordering = ["until", "pk"]
        indexes = [models.Index(fields=["withdrawn_at", "until"])]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="offer_quantity_positive")
        ]
        verbose_name = _("surplus offer")
        verbose_name_plural = _("surplus offers")

    def __str__(self) -> str:
        return f"{self.quantity} {self.item} @ {self.hub}"


class ClaimHow(models.TextChoices):
    RUN = "run", _("the offering hub brings it")
    PICKUP = "pickup", _("we pick it up")


class ClaimStatus(models.TextChoices):
    CLAIMED = "claimed", _("claimed")
    PLANNED = "planned", _("on a run")
    SENT = "sent", _("handed over")
    CANCELLED = "cancelled", _("cancelled")


class Claim(models.Model):
    """A hub's claim on part or all of another hub's offer. It becomes a stop on one of the
    offering hub's runs (`planned`) or a pickup handed over (`sent`): a transfer either way."""

    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, related_name="claims")
    hub = models.ForeignKey(
        Hub, on_delete=models.PROTECT, related_name="claims", verbose_name=_("claimed by")
    )
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    how = models.CharField(_("how"), max_length=8, choices=ClaimHow.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.CLAIMED
    )
    stop = models.ForeignKey(
        Stop, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    transfer = models.ForeignKey(
        Transfer, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="claim_quantity_positive")
        ]
        verbose_name = _("claim")
        verbose_name_plural = _("claims")

    def __str__(self) -> str:
        return f"{self.quantity} {self.offer.item} for {self.hub}"
