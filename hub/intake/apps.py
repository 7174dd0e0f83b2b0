from django.apps import AppConfig


class IntakeConfig(AppConfig):
    """The dropoff table. No models of its own (they are the hub app's); registered so that
    its cache hears every change to what it caches, in any process."""

    name = "hub.intake"
    label = "intake"

    def ready(self) -> None:
        from hub.intake.cache import signals_connect

        signals_connect()
