# Donation Hub production image: one image for web (gunicorn), worker and beat (Celery).
# docker-compose.yml chooses the command; settings come only from the environment at run time.
FROM python:3.11-slim

# PYTHONPATH=/app: the code runs from the source tree in /app, which holds what the installed
# wheel lacks (migrations, management commands, templates, static, locale). Putting /app first
# makes gunicorn, celery and manage.py all import that same copy.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Dependencies first, from pyproject.toml alone, so that a code change does not reinstall them:
# empty stand-ins for the packages let `pip install .` resolve and install every
# dependency; the stand-ins and the build leftovers are then removed.
COPY pyproject.toml ./
RUN mkdir config hub inventory deliveries overview operations \
    && touch config/__init__.py hub/__init__.py inventory/__init__.py deliveries/__init__.py \
        overview/__init__.py operations/__init__.py \
    && pip install . \
    && pip uninstall --yes donation-hub \
    && rm -rf config hub inventory deliveries overview operations build ./*.egg-info

COPY . .
RUN pip install --no-deps . && rm -rf build ./*.egg-info

# The shipped .po catalogs become .mo files, exactly as `make messages` does (no GNU gettext).
RUN pybabel compile --domain django --directory locale --use-fuzzy

# Hashed, compressed static files for WhiteNoise. DEBUG=false selects the manifest storage;
# the SECRET_KEY exists only for this RUN step (settings refuse to load without one) and is
# not part of the image's environment.
RUN DEBUG=false SECRET_KEY=collectstatic-at-build-time-only python manage.py collectstatic --noinput

# Root owns the code and static files; the app user can read but not change them.
RUN groupadd --system --gid 10001 hub \
    && useradd --system --uid 10001 --gid hub --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin hub
USER hub

EXPOSE 8000

# docker-compose.yml overrides this (migrate first, worker count, timeout); this default lets
# `docker run` serve the app on its own. gunicorn reads WEB_CONCURRENCY itself.
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
