# Production image: the portal (gunicorn), the Celery worker and Celery beat run from it.
# Pinned: the Python packages install with -c requirements.lock, exactly the tested versions.
FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
# The non-root user the three app processes run as; it owns the media directory, so the named
# volume mounted there (initialised from the image on first use) is writable for it.
RUN groupadd --system --gid 10001 elip \
    && useradd --system --uid 10001 --gid elip --home-dir /app --shell /usr/sbin/nologin elip \
    && mkdir -p /data/media \
    && chown elip:elip /data/media
WORKDIR /app
COPY pyproject.toml requirements.lock ./
RUN pip install --no-cache-dir -c requirements.lock .
COPY . .
# Hashed, pre-compressed static files for WhiteNoise (STATIC_ROOT=/app/var/static).
RUN STATIC_ROOT=/app/var/static python manage.py collectstatic --noinput -v0
USER elip
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "scripts/healthcheck.py", "web"]
CMD ["gunicorn", "pib.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
