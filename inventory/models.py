"""Catalog, storage and the stock ledger.

`StockMovement` is the append-only truth; `StockBalance` is its running sum per item,
location and expiry, kept by `inventory.services` only and never negative.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Cast, Coalesce, Concat, LPad
from django.utils.translation import gettext_lazy as _

from hub.models import Hub
from hub.translated import translated, translated_all, translations_field
from hub.validators import single_line
from inventory.reasons import reason_show
from inventory.search import search_text
from inventory.webhooks import webhook_url_check


class StorageLocation(models.Model):
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="locations")
    name = models.CharField(_("name"), max_length=120, validators=[single_line])
    capacity_litres = models.DecimalField(
        _("capacity (litres)"),
        max_digits=12,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0.1"))],
        help_text=_("A pallet position is about 2,270 L; a banker's box about 30 L."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Its name in other languages (hub.translated).
    translations = translations_field()
    # The sum of its balances x their item's unit volume, kept by inventory.services in the
    # transaction that changes them (so a fill is one row, not a sum over the stock), and
    # compared with that sum by the consistency check (stock_check).
    used_litres = models.DecimalField(
        _("litres in use"), max_digits=18, decimal_places=3, default=0, editable=False
    )

    class Meta:
        ordering = ["hub", "name"]
        constraints = [
            models.UniqueConstraint(fields=["hub", "name"], name="location_unique_name_per_hub"),
            models.CheckConstraint(
                condition=Q(capacity_litres__gt=0), name="location_capacity_positive"
            ),
            models.CheckConstraint(
                condition=Q(used_litres__gte=0), name="location_used_litres_not_negative"
            ),
        ]
        verbose_name = _("storage location")
        verbose_name_plural = _("storage locations")

    def __str__(self) -> str:
        return f"{self.display_name} ({self.hub})"

    def save(self, **kwargs) -> None:
        # Its litres in use are the stock services' to change: a location loaded before a
        # stock change (an admin's form) must not write its old figure back when saved.
        if not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "used_litres"
            ]
        with transaction.atomic():
            renamed = not self._state.adding
            super().save(**kwargs)
            if renamed:
                balances_reorder(balances=StockBalance.objects.filter(location=self))

    @property
    def display_name(self) -> str:
        """Its name in the reader's language."""
        return translated(self, "name")


class Category(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=80, validators=[single_line])
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    aliases = models.CharField(
        _("other names"),
        max_length=500,
        blank=True,
        help_text=_("Words it is also searched by, in any language, separated by commas."),
    )
    # Its name in other languages (hub.translated).
    translations = translations_field()

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs):
        with transaction.atomic():
            reordered = not self._state.adding
            super().save(*args, **kwargs)
            # Its items are found by its name and aliases too.
            items = list(self.items.all())
            for item in items:
                item.category = self
                item.search_text = item.search_text_now()
            Item.objects.bulk_update(items, ["search_text"])
            if reordered:
                balances_reorder(balances=StockBalance.objects.filter(item__category=self))

    @property
    def display_name(self) -> str:
        """Its name in the reader's language."""
        return translated(self, "name")


class Unit(models.TextChoices):
    EACH = "each", _("each")
    PACK = "pack", _("pack")
    CASE = "case", _("case")
    BAG = "bag", _("bag")
    BOX = "box", _("box")


class Item(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True, validators=[single_line])
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="items", verbose_name=_("category")
    )
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices, default=Unit.EACH)
    unit_volume_litres = models.DecimalField(
        _("volume of one unit (litres)"),
        max_digits=9,
        decimal_places=3,
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    tracks_expiry = models.BooleanField(_("tracks expiry date"), default=False)
    # Set by coordinators: past its date it may still be accepted at the table (canned food
    # past best-before), after the volunteer chose so on the line. Otherwise it is discarded.
    safe_after_expiry = models.BooleanField(
        _("safe after its date"),
        default=False,
        help_text=_("E.g. canned food past its best-before date: the table may accept it."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    aliases = models.CharField(
        _("other names"),
        max_length=500,
        blank=True,
        help_text=_("Names it is also searched by, in any language, separated by commas."),
    )
    # Its name in other languages (hub.translated).
    translations = translations_field()
    # Names in every language, aliases and category, folded (inventory.search); kept by save().
    search_text = models.TextField(blank=True, editable=False)
    # An item a volunteer added at the table ("Other"), until a coordinator keeps or merges it.
    needs_review = models.BooleanField(_("needs review"), default=False)
    created_at_hub = models.ForeignKey(
        Hub,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added at hub"),
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_items",
        verbose_name=_("merged into"),
    )
    merged_at = models.DateTimeField(_("merged at"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit_volume_litres__gt=0), name="item_unit_volume_positive"
            ),
        ]
        indexes = [models.Index(fields=["created_at_hub", "needs_review"])]
        verbose_name = _("item")
        verbose_name_plural = _("items")

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs):
        self.search_text = self.search_text_now()
        fields = kwargs.get("update_fields")
        if fields is not None:
            kwargs["update_fields"] = {*fields, "search_text"}
        reordered = not self._state.adding and (
            fields is None or bool({"name", "category", "category_id"} & set(fields))
        )
        with transaction.atomic():
            super().save(*args, **kwargs)
            if reordered:
                balances_reorder(balances=StockBalance.objects.filter(item=self))

    @property
    def display_name(self) -> str:
        """Its name in the reader's language."""
        return translated(self, "name")

    def search_text_now(self) -> str:
        category = self.category
        return search_text(
            *translated_all(self, "name"),
            self.aliases,
            *translated_all(category, "name"),
            category.aliases,
        )


class MovementKind(models.TextChoices):
    RECEIVED = "received", _("received")
    DELIVERED = "delivered", _("delivered")
    TRANSFERRED = "transferred", _("transferred")
    ADJUSTED = "adjusted", _("adjusted")
    COUNTED = "counted", _("counted")
    DISCARDED = "discarded", _("discarded")
    VOIDED = "voided", _("voided")
    RETURNED = "returned", _("returned")  # brought back undelivered from a delivery run
    MERGED = "merged", _("merged")  # moved from an item merged into another (Item.merged_into)


class StockMovement(models.Model):
    """One change to one balance. Rows are only ever inserted; a mistake is voided by a
    reversing row. Movements written by one service call share an `operation`."""

    kind = models.CharField(_("kind"), max_length=12, choices=MovementKind.choices)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="movements")
    location = models.ForeignKey(
        StorageLocation, on_delete=models.PROTECT, related_name="movements"
    )
    quantity = models.IntegerField(_("quantity"), help_text=_("Positive in, negative out."))
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    # Set when the software gave the reason (inventory.reasons): it is worded when shown.
    reason_code = models.CharField(max_length=40, blank=True, editable=False)
    reason_params = models.JSONField(default=dict, blank=True, editable=False)
    operation = models.UUIDField(_("operation"), db_index=True, editable=False)
    # Set on the first row of an operation only (NULLs do not collide).
    idempotency_key = models.CharField(  # noqa: DJ001 - NULL, unlike "", is never a duplicate
        max_length=120, unique=True, null=True, editable=False
    )
    source_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source = GenericForeignKey("source_type", "source_id")
    reverses = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
        verbose_name=_("reverses"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["item", "location", "created_at"]),
            # The inflow of the last hours, per location, for "full in about N hours", and
            # the dashboard's flow of the last day. It carries the columns they sum so that
            # they are read from the index alone: without them the planner prefers the
            # created_at index (the ledger is in time order), which reads the whole
            # network's day to keep one hub's (docs/performance.md).
            models.Index(
                fields=["location", "created_at"],
                include=["kind", "item", "quantity", "id"],
                name="movement_location_time",
            ),
            models.Index(fields=["source_type", "source_id"]),
            # Whether a movement was voided, asked of each movement of the dashboard's day:
            # the voids alone, two pages a probe, where the one-to-one's unique index holds
            # every movement of the ledger (its NULLs too) and takes three.
            models.Index(
                fields=["reverses"],
                condition=Q(reverses__isnull=False),
                name="movement_reversal",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(quantity=0) | Q(kind="counted"), name="movement_quantity_nonzero"
            ),
            models.CheckConstraint(
                condition=Q(reverses__isnull=True) | Q(kind="voided"),
                name="movement_only_voids_reverse",
            ),
        ]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity:+d} {self.item} @ {self.location}"

    @property
    def display_reason(self) -> str:
        return reason_show(code=self.reason_code, params=self.reason_params, text=self.reason)


class StockBalance(models.Model):
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="balances")
    location = models.ForeignKey(StorageLocation, on_delete=models.PROTECT, related_name="balances")
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)
    quantity = models.IntegerField(_("quantity"), default=0)
    # Copies of what the stock page filters, orders and pages by, so that it reads the
    # hub's rows in their order from one index (balance_in_stock_order) instead of sorting
    # the network's: its location's hub, and its place in the catalog (balance_sort_key).
    # Set when the balance is created (`placed`), kept by the saves of the location, item
    # and category they copy (balances_reorder), in their transaction.
    hub = models.ForeignKey(
        Hub, on_delete=models.PROTECT, related_name="+", editable=False, db_index=False
    )
    sort_key = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["item__name", "expiry_date"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="balance_never_negative"),
            # Two partial indexes rather than NULLS NOT DISTINCT, so SQLite enforces it too.
            models.UniqueConstraint(
                fields=["item", "location", "expiry_date"],
                condition=Q(expiry_date__isnull=False),
                name="balance_unique_dated",
            ),
            models.UniqueConstraint(
                fields=["item", "location"],
                condition=Q(expiry_date__isnull=True),
                name="balance_unique_undated",
            ),
        ]
        indexes = [
            models.Index(fields=["location", "item"]),
            # The stock page: a hub's balances in stock, in order, read by keyset
            # (hub.paging.keyset_page), however large the network's stock.
            models.Index(
                fields=["hub", "sort_key", "id"],
                condition=Q(quantity__gt=0),
                name="balance_in_stock_order",
            ),
            # What expires soon (the dashboard, the stock page's "expiring"): the hub's dated
            # batches in stock, soonest first, rather than all its balances filtered.
            models.Index(
                fields=["hub", "expiry_date", "sort_key", "id"],
                condition=Q(quantity__gt=0, expiry_date__isnull=False),
                name="balance_expiring",
            ),
        ]
        verbose_name = _("stock balance")
        verbose_name_plural = _("stock balances")

    def __str__(self) -> str:
        return f"{self.item} @ {self.location}: {self.quantity}"

    @classmethod
    def placed(
        cls, *, item: Item, location: StorageLocation, expiry_date: date | None
    ) -> "StockBalance":
        """A new balance, unsaved and at zero, with its copies of its hub and its order
        taken from the objects at hand (the item's category is read if it is not loaded)."""
        return cls(
            item=item,
            location=location,
            expiry_date=expiry_date,
            hub_id=location.hub_id,
            sort_key=balance_sort_key(
                category_order=item.category.sort_order,
                item_name=item.name,
                location_name=location.name,
                expiry_date=expiry_date,
            ),
        )


# Below any character a name can hold (single_line refuses control characters), so that
# the key orders as the tuple of its parts: "Water" before "Water bottle".
KEY_SEPARATOR = "\x01"
# After any date: undated stock after the dated, where PostgreSQL's ORDER BY put NULLs.
KEY_UNDATED = "~"
KEY_ORDER_DIGITS = 5  # a category's order is a PositiveSmallIntegerField: up to 32767


def balance_sort_key(
    *, category_order: int, item_name: str, location_name: str, expiry_date: date | None
) -> str:
    """The stock page's order of a balance as one string: its category's order, its item's
    name, its location's name, its expiry date. The same as `balances_reorder` writes."""
    return KEY_SEPARATOR.join(
        (
            str(category_order).zfill(KEY_ORDER_DIGITS),
            item_name,
            location_name,
            expiry_date.isoformat() if expiry_date else KEY_UNDATED,
        )
    )


def balance_sort_key_sql() -> Concat:
    """`balance_sort_key` of each balance of a query, computed by the database from the
    rows it copies (for the catalog's saves and the migration that filled the keys)."""
    item = Item.objects.filter(pk=OuterRef("item_id")).order_by()
    location = StorageLocation.objects.filter(pk=OuterRef("location_id")).order_by()
    separator = Value(KEY_SEPARATOR)
    return Concat(
        LPad(
            Cast(Subquery(item.values("category__sort_order")), CharField()),
            KEY_ORDER_DIGITS,
            Value("0"),
        ),
        separator,
        Subquery(item.values("name")),
        separator,
        Subquery(location.values("name")),
        separator,
        Coalesce(Cast("expiry_date", CharField()), Value(KEY_UNDATED)),
        output_field=TextField(),
    )


def balances_reorder(*, balances: QuerySet[StockBalance]) -> int:
    """Bring the hub and order copied on `balances` up to date with their location, item
    and category, in one UPDATE that writes only the rows whose copy differs: a save that
    changed neither name nor order writes nothing. The number of balances changed."""
    key = balance_sort_key_sql()
    hub = Subquery(
        StorageLocation.objects.filter(pk=OuterRef("location_id")).order_by().values("hub_id")
    )
    # Locked in primary-key order first, as a stock write locks its balances
    # (inventory.locks, step 2): an UPDATE alone locks its rows in the order its plan reads
    # them, and could deadlock with a dropoff holding some of them.
    stale = (
        balances.exclude(sort_key=key, hub_id=hub)
        .order_by("pk")
        .select_for_update(of=("self",))
        .values("pk")
    )
    with transaction.atomic():
        return StockBalance.objects.filter(pk__in=Subquery(stale)).update(sort_key=key, hub_id=hub)


class AlertLevel(models.TextChoices):
    NEARLY_FULL = "nearly_full", _("nearly full")
    FULL = "full", _("full")
    EXPIRING = "expiring", _("expiring soon")
    LOW_STOCK = "low_stock", _("under its minimum")


CAPACITY_LEVELS = (AlertLevel.NEARLY_FULL, AlertLevel.FULL)


class StockMinimum(models.Model):
    """The least of an item a hub wants on its shelves. Falling under it raises one alert;
    `below` stays set until the stock is back at or above it (inventory.stock_alerts)."""

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="minimums")
    minimum = models.PositiveIntegerField(_("minimum"), validators=[MinValueValidator(1)])
    below = models.BooleanField(default=False, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["hub", "item"], name="minimum_one_per_item_and_hub"),
            models.CheckConstraint(condition=Q(minimum__gt=0), name="minimum_positive"),
        ]
        verbose_name = _("minimum level")
        verbose_name_plural = _("minimum levels")

    def __str__(self) -> str:
        return f"{self.item} @ {self.hub}: {self.minimum}"


class CapacityState(models.Model):
    """Which thresholds a location (or, with no location, the whole hub) has crossed and
    not yet come back 5 points under: a tripped threshold raises no second alert."""

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey(
        StorageLocation, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    nearly_full_tripped = models.BooleanField(default=False)
    full_tripped = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["location"],
                condition=Q(location__isnull=False),
                name="capacity_state_one_per_location",
            ),
            models.UniqueConstraint(
                fields=["hub"],
                condition=Q(location__isnull=True),
                name="capacity_state_one_per_hub",
            ),
        ]

    def __str__(self) -> str:
        tripped = [
            n
            for n, on in (("nearly full", self.nearly_full_tripped), ("full", self.full_tripped))
            if on
        ]
        return f"{self.location or self.hub}: {', '.join(tripped) or 'armed'}"


class CapacityAlert(models.Model):
    """One crossing of a fill threshold, raised in the transaction of the stock change; or
    a batch about to expire, or an item falling under its minimum (inventory.stock_alerts).
    All go out through the same channels (inventory.alerts)."""

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="alerts")
    location = models.ForeignKey(
        StorageLocation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alerts",
        verbose_name=_("location"),
        help_text=_("Empty for the whole hub."),
    )
    level = models.CharField(_("level"), max_length=12, choices=AlertLevel.choices)
    # A fill alert's figures; empty for the stock alerts.
    fill_percent = models.DecimalField(
        _("fill (%)"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    threshold_percent = models.PositiveSmallIntegerField(_("threshold (%)"), null=True, blank=True)
    # A stock alert's item; with the batch's location and expiry date when it is expiring.
    item = models.ForeignKey(
        Item,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("item"),
    )
    expiry_date = models.DateField(_("expiry date"), null=True, blank=True)
    quantity = models.IntegerField(_("quantity"), null=True, blank=True)
    minimum = models.PositiveIntegerField(_("minimum"), null=True, blank=True)
    hours_to_full = models.DecimalField(
        _("full in about (hours)"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    created_at = models.DateTimeField(_("raised"), auto_now_add=True, db_index=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    # When its channels were worked out (possibly none): the sweep looks for alerts without.
    prepared_at = models.DateTimeField(null=True, blank=True, editable=False)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["hub", "-created_at"])]
        constraints = [
            # One alert per batch, however many sweeps or workers look at it at once.
            models.UniqueConstraint(
                fields=["location", "item", "expiry_date"],
                condition=Q(level="expiring"),
                name="alert_once_per_expiring_batch",
            ),
        ]
        verbose_name = _("capacity alert")
        verbose_name_plural = _("capacity alerts")

    def __str__(self) -> str:
        where = self.location.name if self.location else self.hub.name
        if self.item_id is not None:
            return f"{where}: {self.item}, {self.get_level_display()}"
        return f"{where}: {self.get_level_display()} ({self.fill_percent} %)"


class Webhook(models.Model):
    """A chat tool or other service that gets each alert of the hub as a JSON POST."""

    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="webhooks")
    name = models.CharField(_("name"), max_length=80, validators=[single_line])
    url = models.URLField(_("address"), max_length=500, validators=[webhook_url_check])
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")

    def __str__(self) -> str:
        return self.name


class AlertDelivery(models.Model):
    """One channel of one alert: the e-mail, or one webhook. Sent until it is recorded as
    sent, each try with the same key so receivers drop a repeat (inventory.alerts)."""

    alert = models.ForeignKey(CapacityAlert, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("channel"), max_length=40)  # "email" or "webhook:<id>"
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # Set, and committed, before the send starts; cleared when it ends. Still set while no
    # live worker holds the delivery's lock means a worker died mid-send: it is sent again.
    sending_since = models.DateTimeField(null=True, blank=True)
    # After a failed send: not before this time again (backoff), by the retry or the sweep.
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["alert", "channel"], name="delivery_once_per_channel")
        ]
        indexes = [models.Index(fields=["sent_at", "attempts"])]
        verbose_name = _("alert delivery")
        verbose_name_plural = _("alert deliveries")

    def __str__(self) -> str:
        return f"{self.alert} by {self.channel}: {'sent' if self.sent_at else 'not sent'}"


class ItemBarcode(models.Model):
    """A GTIN (UPC, EAN) printed on an item's packaging, kept as 14 digits (zeros in
    front), so that the same code scanned as UPC-A or EAN-13 is one code: unique across
    the catalog, it names one item."""

    item = models.ForeignKey(
        Item, on_delete=models.CASCADE, related_name="barcodes", verbose_name=_("item")
    )
    gtin = models.CharField(_("barcode"), max_length=14, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["gtin"]
        verbose_name = _("barcode")
        verbose_name_plural = _("barcodes")

    def __str__(self) -> str:
        return self.printed

    @property
    def printed(self) -> str:
        """The code as the package prints it: EAN-13 (a UPC-A with its zero) or GTIN-14."""
        return self.gtin[1:] if self.gtin.startswith("0") else self.gtin
