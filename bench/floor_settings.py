"""Settings of the floor server: the hub's settings with no middleware at all and one URL,
the floor view (bench.floor). Used only by the benchmark; the app never loads it."""

from config.settings import *  # noqa: F403

MIDDLEWARE = []
ROOT_URLCONF = "bench.floor"
