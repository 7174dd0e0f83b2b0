import zoneinfo
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hub.translated import translated, translations_field
from hub.validators import single_line


def shipped_languages() -> list[tuple[str, Any]]:
    """settings.LANGUAGES, read when asked: a language added under locale/ needs no migration."""
    return list(settings.LANGUAGES)


class IntakeStatus(models.TextChoices):
    OPEN = "open", _("open")
    LIMITED = "limited", _("limited")
    CLOSED = "closed", _("closed")


def time_zone_check(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(zone)s is not a time zone."), params={"zone": value})


class Hub(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True, validators=[single_line])
    slug = models.SlugField(_("short name in links"), max_length=60, unique=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=255, blank=True)
    latitude = models.DecimalField(
        _("latitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=8, decimal_places=5, null=True, blank=True
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=settings.TIME_ZONE,
        validators=[time_zone_check],
        help_text=_("Reopen times and join codes' expiry are in the hub's local time."),
    )
    default_language = models.CharField(
        _("default language"),
        max_length=8,
        choices=shipped_languages,
        default=settings.LANGUAGE_CODE,
        help_text=_("What a newcomer joining by code is offered first."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    intake_status = models.CharField(
        _("intake"), max_length=8, choices=IntakeStatus.choices, default=IntakeStatus.OPEN
    )
    intake_reason = models.CharField(_("why"), max_length=255, blank=True)
    intake_reopens_at = models.DateTimeField(_("reopens at"), null=True, blank=True)
    # Set when storage closed intake by itself; only such a closure reopens by itself.
    intake_closed_automatically = models.BooleanField(default=False, editable=False)
    # What an automatic closure replaced, put back when it reopens by itself.
    intake_status_before_auto = models.CharField(
        max_length=8, choices=IntakeStatus.choices, default=IntakeStatus.OPEN, editable=False
    )
    intake_reason_before_auto = models.CharField(max_length=255, blank=True, editable=False)
    intake_changed_at = models.DateTimeField(
        _("intake last changed"), default=timezone.now, editable=False
    )
    close_when_full = models.BooleanField(
        _("close intake when full"),
        default=True,
        help_text=_("Close intake by itself when storage passes the full threshold."),
    )
    nearly_full_percent = models.PositiveSmallIntegerField(
        _("nearly full at (%)"), default=80, validators=[MaxValueValidator(100)]
    )
    full_percent = models.PositiveSmallIntegerField(
        _("full at (%)"), default=95, validators=[MaxValueValidator(100)]
    )
    max_line_quantity = models.PositiveIntegerField(
        _("most units on one dropoff line"),
        default=500,
        validators=[MinValueValidator(1), MaxValueValidator(100_000)],
        help_text=_("A larger number at the table is more likely a typo than a donation."),
    )
    count_confirm_percent = models.PositiveSmallIntegerField(
        _("confirm a count that differs by more than (%)"),
        default=50,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
        help_text=_(
            "A count this far from the record (5 counted against 100) is more likely a slip "
            "than a loss: the counter is asked to confirm that line."
        ),
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="hubs", blank=True
    )
    # Its opening hours and intake reason in other languages than its default (hub.translated).
    translations = translations_field()

    class Meta:
        ordering = ["name"]
        verbose_name = _("hub")
        verbose_name_plural = _("hubs")

    def __str__(self) -> str:
        return self.name

    @property
    def display_opening_hours(self) -> str:
        return translated(self, "opening_hours")

    @property
    def display_intake_reason(self) -> str:
        return translated(self, "intake_reason")


class CategoryIntake(models.Model):
    """What a hub says about one category; a category without a row follows the hub.
    When the hub is limited, only categories with a row saying open or limited are taken."""

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="category_intakes")
    category = models.ForeignKey("inventory.Category", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(_("intake"), max_length=8, choices=IntakeStatus.choices)
    reason = models.CharField(_("why"), max_length=255, blank=True)
    reopens_at = models.DateTimeField(_("reopens at"), null=True, blank=True)
    # Its reason in other languages than the hub's default (hub.translated).
    translations = translations_field()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["hub", "category"], name="category_intake_unique")
        ]
        verbose_name = _("category intake")
        verbose_name_plural = _("category intakes")

    def __str__(self) -> str:
        return f"{self.category} @ {self.hub}: {self.get_status_display()}"

    @property
    def display_reason(self) -> str:
        return translated(self, "reason")


class Membership(models.Model):
    """Ties a user to a hub they may act in; what they may do there is their role."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="memberships")
    created_at = models.DateTimeField(auto_now_add=True)
    alert_emails = models.BooleanField(
        _("e-mail me storage alerts"),
        default=False,
        help_text=_("Coordinators and admins only."),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "hub"], name="membership_unique_user_hub")
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.hub}"


class JoinCode(models.Model):
    """A link (and its QR code) by which newcomers become Volunteers of the hub without an
    account made for them. The token is shown again for as long as the code is valid, so it
    is kept as is: 96 random bits cannot be guessed, and a code lives a day or so."""

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="join_codes")
    token = models.CharField(max_length=32, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("valid until"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    joined_count = models.PositiveIntegerField(_("people joined"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("join code")
        verbose_name_plural = _("join codes")

    def __str__(self) -> str:
        return f"{self.hub} until {self.expires_at:%Y-%m-%d %H:%M}"

    def is_valid(self, *, now=None) -> bool:
        return self.revoked_at is None and (now or timezone.now()) < self.expires_at


class Outcome(models.TextChoices):
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined (not needed)")
    REDIRECTED = "redirected", _("redirected to another hub")


class Dropoff(models.Model):
    """One donor's visit to the table. Donor details are kept only with their consent."""

    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="dropoffs")
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    logged_at = models.DateTimeField(_("logged at"), auto_now_add=True, db_index=True)
    # One per rendered form: a double tap or a retry finds the first dropoff by it. Unique
    # per hub: the same key sent to another hub is another dropoff there.
    idempotency_key = models.CharField(max_length=120, editable=False)
    donor_name = models.CharField(_("donor name"), max_length=120, blank=True)
    donor_contact = models.CharField(_("donor contact"), max_length=120, blank=True)
    donor_consent = models.BooleanField(_("donor agreed to be contacted"), default=False)
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-logged_at", "-id"]
        indexes = [models.Index(fields=["hub", "-logged_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(donor_consent=True) | (Q(donor_name="") & Q(donor_contact="")),
                name="dropoff_donor_details_need_consent",
            ),
            models.UniqueConstraint(
                fields=["hub", "idempotency_key"], name="dropoff_key_unique_per_hub"
            ),
        ]
        verbose_name = _("dropoff")
        verbose_name_plural = _("dropoffs")

    def __str__(self) -> str:
        return f"#{self.pk} {self.hub}"


class DropoffLine(models.Model):
    dropoff = models.ForeignKey(Dropoff, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey("inventory.Item", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    location = models.ForeignKey(
        "inventory.StorageLocation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Where accepted goods were put."),
    )
    redirected_to = models.ForeignKey(
        Hub, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="dropoff_line_quantity"),
            models.CheckConstraint(
                condition=Q(outcome="accepted", location__isnull=False)
                | (~Q(outcome="accepted") & Q(location__isnull=True)),
                name="dropoff_line_stocked_iff_accepted",
            ),
            models.CheckConstraint(
                condition=Q(outcome="redirected") | Q(redirected_to__isnull=True),
                name="dropoff_line_redirect_only_when_redirected",
            ),
        ]
        verbose_name = _("dropoff line")
        verbose_name_plural = _("dropoff lines")

    def __str__(self) -> str:
        return f"{self.quantity} {self.item} ({self.get_outcome_display()})"


class LanguagePreference(models.Model):
    """The language a person chose, applied at every login and request on any device."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="language_preference"
    )
    language = models.CharField(_("language"), max_length=8, choices=shipped_languages)

    class Meta:
        verbose_name = _("language preference")
        verbose_name_plural = _("language preferences")

    def __str__(self) -> str:
        return f"{self.user}: {self.language}"


class LoginUnlock(models.Model):
    """A coordinator or admin let a member locked out of logging in (too many wrong
    passwords) try again before the cool-off ended: who, whom, when."""

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    unlocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    unlocked_at = models.DateTimeField(_("unlocked at"), default=timezone.now)

    class Meta:
        ordering = ["-unlocked_at", "-id"]
        verbose_name = _("login unlock")
        verbose_name_plural = _("login unlocks")

    def __str__(self) -> str:
        return f"{self.member} unlocked by {self.unlocked_by}"


class PinnedTile(models.Model):
    """An item a coordinator keeps among the dropoff table's tiles, at a fixed place."""

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="pinned_tiles")
    item = models.ForeignKey("inventory.Item", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        ordering = ["hub", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["hub", "item"], name="pinned_tile_once_per_hub")
        ]
        verbose_name = _("pinned tile")
        verbose_name_plural = _("pinned tiles")

    def __str__(self) -> str:
        return f"{self.position}. {self.item} @ {self.hub}"
