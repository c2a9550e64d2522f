# Kyodo Portal: one image for web (gunicorn), worker and beat. The portal runs as an installed
# package: the first stage builds its wheel (templates and static files inside), the second
# installs the pinned dependencies (requirements.lock) and that wheel, without the source tree.
FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN pip wheel --no-cache-dir --disable-pip-version-check --no-deps --wheel-dir /wheels .

FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

# WeasyPrint needs Pango (and through it HarfBuzz, fontconfig). The Japanese font ships in the
# Python dependencies (matplotlib-fontja: IPAexGothic), so no font package is needed.
# libharfbuzz-subset0 is left out on purpose: Debian 12's subsetter gives up on large kanji sets.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b \
      shared-mime-info curl procps \
 && rm -rf /var/lib/apt/lists/*

COPY requirements.lock /tmp/requirements.lock
RUN pip install -r /tmp/requirements.lock
COPY --from=build /wheels /wheels
RUN pip install --no-deps /wheels/*.whl && rm -rf /wheels

# /app holds no code: manage.py runs the installed package (so does `kyodo-portal`).
WORKDIR /app
COPY manage.py ./
# The accessibility page shows the axe-core results of the browser tests: `make test` before
# `docker compose build` writes them, and the image carries those of its own code. The README
# in the pattern makes COPY succeed when there are none yet (the page then says so).
COPY README.md var/a11y/axe-results.jso[n] ./a11y/

# collectstatic needs settings but no database or real secret.
RUN SECRET_KEY=build-only-$(python -c 'import secrets; print(secrets.token_urlsafe(64))') \
    ALLOWED_HOSTS=build.invalid STATIC_ROOT=/app/staticfiles \
    python manage.py collectstatic --noinput

RUN useradd --create-home --uid 1000 kyodo && mkdir -p /data/media /data/private /data/backups \
 && chown -R kyodo:kyodo /data
USER kyodo

ENV STATIC_ROOT=/app/staticfiles MEDIA_ROOT=/data/media PRIVATE_MEDIA_ROOT=/data/private BACKUP_ROOT=/data/backups \
    A11Y_RESULTS_PATH=/app/a11y/axe-results.json
EXPOSE 8000
# gunicorn believes X-Forwarded-Proto only from FORWARDED_ALLOW_IPS (its own environment variable,
# set by docker-compose.yml to the proxy's network; gunicorn's default is loopback only).
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--access-logfile", "-", "--error-logfile", "-"]
