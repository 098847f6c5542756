# Production image: the portal (gunicorn), the Celery worker and Celery beat run from it.
FROM python:3.11-slim-bookworm
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir .
COPY . .
RUN python manage.py collectstatic --noinput
USER nobody
EXPOSE 8000
CMD ["gunicorn", "pib.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
