"""A real SensorThings API v1.1 server: django-ogc-sensorthings (PyPI) on SQLite, served on 127.0.0.1.

Run as a subprocess — Django's settings are per process — by `RealSensorThings` below:
`python tests/servers/sta_django.py DB_FILE` binds port 0, migrates, prints the port and serves
until terminated. Data goes in through the server's own create API (POST Things with deep insert).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import requests

PREFIX = "/sensorthings/v1.1"


def _serve(db_file: str) -> None:
    from uuid import UUID
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    import django
    from django.conf import settings

    class Quiet(WSGIRequestHandler):
        def log_message(self, *args) -> None:
            pass

    server = make_server("127.0.0.1", 0, lambda environ, start: [], handler_class=Quiet)
    port = server.server_port
    settings.configure(
        DEBUG=False, SECRET_KEY="test-only", ALLOWED_HOSTS=["127.0.0.1"], ROOT_URLCONF=__name__, USE_TZ=True,
        INSTALLED_APPS=[
            "django.contrib.contenttypes", "django.contrib.auth",
            "sensorthings.versions.v1_1", "sensorthings.versions.v1_1.backends.django",
        ],
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": db_file}},
        SENSORTHINGS_V1_1_SERVICE_URL=f"http://127.0.0.1:{port}/sensorthings",
        SENSORTHINGS_V1_1_BACKEND_ADAPTER="sensorthings.versions.v1_1.backends.django.adapter.DjangoBackendAdapter",
        SENSORTHINGS_V1_1_ID_TYPE=UUID, SENSORTHINGS_V1_1_ID_DELIMITER="'",
    )
    django.setup()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from django.urls import include, path

    globals()["urlpatterns"] = [path("sensorthings/", include("sensorthings.versions.v1_1.urls"))]
    call_command("migrate", verbosity=0)
    server.set_app(get_wsgi_application())
    print(port, flush=True)
    server.serve_forever()


class RealSensorThings:
    """Start the server in a subprocess; `url` is its service root; stop() ends it (by its pid)."""

    def __init__(self, db_file: Path):
        self.log = Path(db_file).with_suffix(".log")  # a file, not a pipe: a chatty server cannot block on it
        with open(self.log, "w") as err:
            self.proc = subprocess.Popen([sys.executable, __file__, str(db_file)], stdout=subprocess.PIPE, stderr=err, text=True)
        line = self.proc.stdout.readline().strip()
        if not line.isdigit():
            self.proc.kill()
            self.proc.wait(timeout=10)
            raise RuntimeError(f"the SensorThings server did not start: {line} {self.log.read_text()[-2000:]}")
        self.url = f"http://127.0.0.1:{line}{PREFIX}"

    def post(self, collection: str, entity: dict) -> None:
        response = requests.post(f"{self.url}/{collection}", json=entity, timeout=30)
        assert response.status_code == 201, (response.status_code, response.text[:500])

    def get(self, resource: str, **params) -> dict:
        response = requests.get(f"{self.url}/{resource}", params=params, timeout=30)
        assert response.status_code == 200, (response.status_code, response.text[:500])
        return response.json()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc.stdout.close()


if __name__ == "__main__":
    _serve(sys.argv[1])
