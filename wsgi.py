"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi run`."""

from accelerator import create_app

app = create_app()
