"""The production files keep their promises (no Docker engine here: they are read, not run).

docker-compose.yml: a TLS-terminating proxy (Caddy) is the only service with published ports,
every service restarts unless stopped and has a healthcheck, the app services share one
environment (the one tests/pib/test_production_serving.py serves with). Dockerfile: installs with
``-c requirements.lock``, runs as a non-root user that owns the media directory, collects static
files. .dockerignore keeps virtualenvs, var/, .git and media out of the build context.
"""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def compose():
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_every_service_restarts_and_has_a_healthcheck():
    services = compose()["services"]
    assert {"proxy", "web", "worker", "beat", "db", "redis"} <= set(services)
    for name, service in services.items():
        assert service.get("restart") == "unless-stopped", name
        check = service.get("healthcheck", {})
        assert check.get("test") and not check.get("disable"), f"{name} has no healthcheck"


def test_only_the_tls_proxy_is_published_and_it_proxies_to_gunicorn():
    services = compose()["services"]
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"proxy"}
    proxy = services["proxy"]
    assert proxy["image"].startswith("caddy:")
    assert any(str(port).startswith("443:443") for port in proxy["ports"])
    caddyfile_mount = next(v for v in proxy["volumes"] if v.endswith(":/etc/caddy/Caddyfile:ro"))
    caddyfile = (ROOT / caddyfile_mount.split(":")[0]).read_text()
    assert "reverse_proxy web:8000" in caddyfile and "tls {$CADDY_TLS}" in caddyfile
    assert "gunicorn" in services["web"]["command"]


def test_the_app_trusts_the_proxy_and_insists_on_https():
    environment = compose()["x-app"]["environment"]
    assert environment["BEHIND_TLS_PROXY"] == "true" and environment["SECURE_SSL_REDIRECT"] == "true"
    assert environment["SECURE_COOKIES"] == "true" and int(environment["SECURE_HSTS_SECONDS"]) >= 31536000
    assert environment["MEDIA_ROOT"] == "/data/media"
    for name in ("web", "worker", "beat"):
        service = compose()["services"][name]
        assert "media:/data/media" in service["volumes"], name
        assert service["depends_on"]["db"]["condition"] == "service_healthy"
        assert service["depends_on"]["redis"]["condition"] == "service_healthy"


def test_dockerfile_pins_runs_as_non_root_and_owns_the_media_volume():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert re.search(r"pip install [^\n]*-c requirements\.lock", dockerfile)
    assert "COPY pyproject.toml requirements.lock" in dockerfile
    users = re.findall(r"^USER (\S+)", dockerfile, flags=re.M)
    assert users and users[-1] not in ("root", "0")
    assert re.search(rf"chown {users[-1]}:\S+ /data/media", dockerfile)
    assert "collectstatic" in dockerfile
    # The volume is declared at the path the image prepared (a named volume copies its ownership).
    assert compose()["x-app"]["environment"]["MEDIA_ROOT"] == "/data/media"


def test_dockerignore_keeps_the_build_context_small():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    assert {".git", ".venv", "var", "media", "**/__pycache__", ".env"} <= ignored


def test_the_healthcheck_script_knows_every_probe_compose_uses():
    script = (ROOT / "scripts" / "healthcheck.py").read_text()
    for name in ("web", "worker", "beat"):
        test = compose()["services"][name]["healthcheck"]["test"]
        assert test[-2:] == ["scripts/healthcheck.py", name] and f'"{name}": {name}' in script
