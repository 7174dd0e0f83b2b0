from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeVar

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.db.models import Model
from django.utils import timezone

from deliveries.models import Destination, DestinationKind, Run
from hub.models import Hub, Membership, Place
from hub.roles import Role
from inventory.models import Category, Item, ItemBarcode, StorageLocation, Unit

PASSWORD = "correct-horse-battery"

ModelT = TypeVar("ModelT", bound=Model)


class ModelFactory(factory.django.DjangoModelFactory[ModelT]):
    """Calling a factory returns the model instance it made, and the type checker knows it."""

    class Meta:
        abstract = True

    if TYPE_CHECKING:
        # factory-boy types create() and build() but not the call, which goes through __new__.
        def __new__(cls, *args: Any, **kwargs: Any) -> ModelT: ...  # type: ignore[misc]


class HubFactory(ModelFactory[Hub]):
    class Meta:
        model = Hub

    name = factory.Sequence(lambda n: f"Hub {n}")
    slug = factory.Sequence(lambda n: f"hub-{n}")
    address = "1 Main St, Los Angeles"
    opening_hours = "9:00-18:00"


class UserFactory(ModelFactory[User]):
    """A user with a role (`role=Role.COORDINATOR`) and membership in `hubs=[...]`."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            # get_or_create: transactional tests flush the groups the migration made.
            self.groups.add(Group.objects.get_or_create(name=Role(extracted).value)[0])
            if extracted == Role.ADMIN:
                self.is_staff = True
                self.save(update_fields=["is_staff"])

    @factory.post_generation
    def hubs(self, create, extracted, **kwargs):
        for hub in extracted or ():
            Membership.objects.create(user=self, hub=hub)


class StorageLocationFactory(ModelFactory[StorageLocation]):
    class Meta:
        model = StorageLocation

    hub = factory.SubFactory(HubFactory)
    name = factory.Sequence(lambda n: f"Shelf {n}")
    capacity_litres = Decimal("1000")


class CategoryFactory(ModelFactory[Category]):
    class Meta:
        model = Category
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"category-{n}")
    name = factory.LazyAttribute(lambda o: o.code.replace("-", " ").title())


class ItemFactory(ModelFactory[Item]):
    class Meta:
        model = Item

    name = factory.Sequence(lambda n: f"Item {n}")
    category = factory.SubFactory(CategoryFactory)
    unit = Unit.EACH
    unit_volume_litres = Decimal("1.000")
    tracks_expiry = False


class DestinationFactory(ModelFactory[Destination]):
    class Meta:
        model = Destination

    hub = factory.SubFactory(HubFactory)
    name = factory.Sequence(lambda n: f"Shelter {n}")
    kind = DestinationKind.SHELTER


class RunFactory(ModelFactory[Run]):
    """A draft run; its driver and creator are members of its hub."""

    class Meta:
        model = Run

    hub = factory.SubFactory(HubFactory)
    driver = factory.LazyAttribute(lambda o: UserFactory(role=Role.VOLUNTEER, hubs=[o.hub]))
    created_by = factory.LazyAttribute(lambda o: o.driver)
    vehicle = "Blue pickup"
    planned_at = factory.LazyFunction(timezone.now)


class PlaceFactory(ModelFactory[Place]):
    """A postcode or neighbourhood with its rough centre."""

    class Meta:
        model = Place

    name = factory.Sequence(lambda n: f"9{n:04d}")
    latitude = Decimal("34.030000")
    longitude = Decimal("-118.330000")


class ItemBarcodeFactory(ModelFactory[ItemBarcode]):
    class Meta:
        model = ItemBarcode

    item = factory.SubFactory(ItemFactory)
    gtin = "00012345678905"
