from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class HubConfig(AppConfig):
    name = "hub"
    verbose_name = _("Hubs and people")

    def ready(self) -> None:
        from hub import languages, tablet_sessions  # noqa: F401 - connect the login signal
        from hub.roles import grant_role_permissions

        # Every app's post_migrate: each grants the Admin role its own app's permissions.
        post_migrate.connect(grant_role_permissions, dispatch_uid="hub.grant_role_permissions")
