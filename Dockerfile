# Production image: gunicorn web, Celery worker and beat all run from it (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Collect static files with hashed names for WhiteNoise; DEBUG=1 only so settings load at build.
RUN DEBUG=1 VAR_DIR=/tmp/build-var \
    STATICFILES_STORAGE=whitenoise.storage.CompressedManifestStaticFilesStorage \
    python manage.py collectstatic --no-input \
    && useradd --create-home --uid 1000 helpdesk \
    && mkdir -p /app/var /app/media && chown helpdesk /app/var /app/media
USER helpdesk

EXPOSE 8000
CMD ["gunicorn", "helpdesk.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
