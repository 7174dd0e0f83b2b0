import unicodedata
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
    expiry_alert_days = models.PositiveSmallIntegerField(
        _("alert about stock expiring within (days)"),
        default=14,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("Each batch that expires this soon raises one alert."),
    )
    tablet_shift_ends = models.TimeField(
        _("tablet sessions end at"),
        null=True,
        blank=True,
        help_text=_(
            "The end of the shift, in the hub's time: a volunteer's session on the table's "
            "tablet ends then. Empty: 8 hours after they tapped their name."
        ),
    )
    tablet_idle_minutes = models.PositiveSmallIntegerField(
        _("tablet sessions end after idle (minutes)"),
        default=15,
        validators=[MinValueValidator(1), MaxValueValidator(720)],
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
    DISCARDED = "discarded", _("discarded (expired)")


OUTCOME_LABELS = dict(Outcome.choices)


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
        indexes = [
            # A hub's dropoffs of a day, read from the index alone (the donors sent on):
            # without the columns it carries, the planner prefers the logged_at index, in
            # time order, and reads the network's day to keep one hub's.
            models.Index(
                fields=["hub", "-logged_at"], include=["id", "undone_at"], name="dropoff_hub_time"
            )
        ]
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
        Hub, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    # Accepted past its expiry date, by the volunteer's choice, for an item safe after it.
    expired_accepted = models.BooleanField(_("accepted after its expiry date"), default=False)

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
        indexes = [
            # The lines sent on to a hub, by dropoff: a day's are read from the first dropoff
            # id that day can hold (hub.intake.nearby.sent_here_list), not every line ever
            # sent there. Only the lines sent on are in it.
            models.Index(
                fields=["redirected_to", "dropoff"],
                condition=Q(redirected_to__isnull=False),
                name="line_sent_to_hub",
            )
        ]
        verbose_name = _("dropoff line")
        verbose_name_plural = _("dropoff lines")

    def __str__(self) -> str:
        return f"{self.quantity} {self.item} ({self.outcome_label})"

    @property
    def outcome_label(self) -> str:
        # get_outcome_display rebuilds the field's choices on every call: the dropoff's
        # confirmation shows one per line.
        return str(OUTCOME_LABELS.get(self.outcome, self.outcome))


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


class PeopleAction(models.TextChoices):
    UNLOCKED = "unlocked", _("unlocked after wrong passwords")
    PROMOTED = "promoted", _("made a coordinator")
    DEMOTED = "demoted", _("made a volunteer")
    DEACTIVATED = "deactivated", _("taken off the hub")
    PASSWORD_RESET = "password_reset", _("password reset")
    PIN_RESET = "pin_reset", _("tablet PIN reset")
    TABLET_ENROLLED = "tablet_enrolled", _("tablet enrolled")
    TABLET_REVOKED = "tablet_revoked", _("tablet revoked")


class PeopleChange(models.Model):
    """What a coordinator or admin changed about the hub's people or tablets: who, what,
    to whom (or which tablet), when. Only ever inserted."""

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="+")
    action = models.CharField(_("change"), max_length=20, choices=PeopleAction.choices)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    tablet = models.ForeignKey(
        "Tablet", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["hub", "-changed_at"])]
        verbose_name = _("change to people")
        verbose_name_plural = _("changes to people")

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.member or self.tablet} by {self.changed_by}"


class Tablet(models.Model):
    """A device a coordinator enrolled as the hub's table tablet. It carries a signed cookie
    naming this row and its key; revoking the row (or a new key) ends it on the device."""

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="tablets")
    name = models.CharField(_("name"), max_length=60, validators=[single_line])
    key = models.CharField(max_length=64, editable=False)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    enrolled_at = models.DateTimeField(_("enrolled at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-enrolled_at", "-id"]
        verbose_name = _("tablet")
        verbose_name_plural = _("tablets")

    def __str__(self) -> str:
        return f"{self.name} @ {self.hub}"


class MemberPin(models.Model):
    """A person's 4-digit PIN for the table's tablet, hashed like a password."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tablet_pin"
    )
    pin_hash = models.CharField(max_length=128, editable=False)
    set_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("tablet PIN")
        verbose_name_plural = _("tablet PINs")

    def __str__(self) -> str:
        return f"PIN of {self.user}"


class PinFailure(models.Model):
    """One wrong PIN typed for a person at a tablet; they count towards the waits of
    `hub.pins`, and a right PIN clears the person's."""

    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    tablet = models.ForeignKey(Tablet, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["member", "at"]), models.Index(fields=["tablet", "at"])]

    def __str__(self) -> str:
        return f"wrong PIN for {self.member} at {self.tablet}"


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


class Place(models.Model):
    """A postcode or neighbourhood of the network's area and its rough centre: how a donor's
    "90016" or "West Adams" becomes a distance to each hub, from data kept here (no outside
    geocoding service sees what donors type)."""

    name = models.CharField(_("postcode or neighbourhood"), max_length=80)
    # The name folded (case, accents, spacing), which what a donor types is compared with.
    key = models.CharField(max_length=80, unique=True, editable=False)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6)

    class Meta:
        ordering = ["name"]
        verbose_name = _("place")
        verbose_name_plural = _("places")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.key = place_key(self.name)
        super().save(*args, **kwargs)


def place_key(text: str) -> str:
    """`text` as places are looked up: without accents, case or extra spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())[:80]


class PledgeStatus(models.TextChoices):
    EXPECTED = "expected", _("expected")
    ARRIVED = "arrived", _("arrived")
    CANCELLED = "cancelled", _("cancelled")


class Pledge(models.Model):
    """What a donor said they will bring to a hub, before driving over: shown at that hub's
    table as an expected arrival. A contact is kept only with the donor's consent."""

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="pledges")
    created_at = models.DateTimeField(_("pledged at"), auto_now_add=True, db_index=True)
    # One per rendered form: a double tap or a retry finds the first pledge by it.
    idempotency_key = models.CharField(max_length=64, unique=True, editable=False)
    place = models.CharField(_("coming from"), max_length=80, blank=True)
    donor_contact = models.CharField(_("donor contact"), max_length=120, blank=True)
    donor_consent = models.BooleanField(_("donor agreed to be contacted"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=PledgeStatus.choices, default=PledgeStatus.EXPECTED
    )
    dropoff = models.OneToOneField(
        Dropoff, on_delete=models.SET_NULL, null=True, blank=True, related_name="pledge"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["hub", "status", "-created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(donor_consent=True) | Q(donor_contact=""),
                name="pledge_contact_needs_consent",
            ),
        ]
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")

    def __str__(self) -> str:
        return f"#{self.pk} {self.hub}"


class PledgeLine(models.Model):
    """So many of one catalog item, or of something described in the donor's words under a
    category."""

    pledge = models.ForeignKey(Pledge, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(
        "inventory.Item", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    category = models.ForeignKey("inventory.Category", on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("what"), max_length=80, blank=True)
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        ordering = ["pledge", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="pledge_line_quantity"),
            models.CheckConstraint(
                condition=Q(item__isnull=False) | ~Q(description=""),
                name="pledge_line_item_or_description",
            ),
        ]
        verbose_name = _("pledged line")
        verbose_name_plural = _("pledged lines")

    def __str__(self) -> str:
        return f"{self.quantity} {self.item or self.description}"
