import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("hub")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Intake's tasks live in a package of the hub app, which the line above does not look into.
app.autodiscover_tasks(["hub.intake"])
