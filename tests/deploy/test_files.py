"""The deployment files: compose services and commands, the image's system packages, the
settings example, nginx, gunicorn and systemd. compose.yaml is read as YAML and its shape
checked here; a compose tool, where one is installed (docker compose v2, or Debian's
docker-compose 1.29 as in CI), also validates it, and nginx checks the site."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.conf import settings

from .nginx_site import NGINX, main_config, media_locations, self_signed_pair, site

BASE_DIR = Path(settings.BASE_DIR)
DEPLOY = BASE_DIR / "deploy"
APP_SERVICES = ("migrate", "web", "worker", "beat")
SERVICES = {"db", "redis", *APP_SERVICES, "nginx"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return data


def dockerfile_stages() -> dict[str, list[str]]:
    """Each stage's name and the apt packages it installs."""
    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    stages: dict[str, list[str]] = {}
    current = ""
    for line in text.splitlines():
        if m := re.match(r"FROM\s+\S+\s+AS\s+(\S+)", line, re.IGNORECASE):
            current = m.group(1)
            stages[current] = []
        elif m := re.search(r"apt-get install ([^&]*)", line):
            stages[current] += [w for w in m.group(1).split() if not w.startswith("-")]
    return stages


# --- compose -------------------------------------------------------------------------------


def test_compose_has_every_service(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == SERVICES
    assert compose["services"]["db"]["image"].startswith("postgres:15")
    assert compose["services"]["redis"]["image"].startswith("redis:")


def compose_tool() -> list[str] | None:
    """docker compose (v2) when its plugin answers, else docker-compose (v1), else None."""
    if shutil.which("docker"):
        probe = subprocess.run(
            ["docker", "compose", "version"],  # noqa: S607
            capture_output=True,
            check=False,
        )
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    return None


def test_a_compose_tool_accepts_the_file(tmp_path: Path) -> None:
    """The file as an operator uses it: in deploy/, next to a .env copied from the example."""
    tool = compose_tool()
    if tool is None:
        pytest.skip("neither docker compose (v2) nor docker-compose (v1) is installed")
    deploy = tmp_path / "deploy"
    deploy.mkdir()
    shutil.copy(DEPLOY / "compose.yaml", deploy / "compose.yaml")
    shutil.copy(DEPLOY / ".env.example", deploy / ".env")
    # The developer's own COMPOSE_FILE or COMPOSE_PROJECT_NAME would win over the copy's.
    environment = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_")}

    def config(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(  # noqa: S603
            [*tool, "-f", "compose.yaml", "config", *args],
            cwd=deploy,
            env=environment,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )

    checked = config("-q")
    assert checked.returncode == 0, checked.stderr
    services = config("--services")
    assert services.returncode == 0, services.stderr
    assert set(services.stdout.split()) == SERVICES


def test_the_project_is_named_in_the_env_file(compose: dict[str, Any]) -> None:
    """COMPOSE_PROJECT_NAME, which compose v1 and v2 both read; v1 refuses a "name:" key."""
    assert "name" not in compose
    example = (DEPLOY / ".env.example").read_text()
    assert re.search(r"^COMPOSE_PROJECT_NAME=pheduyet$", example, re.MULTILINE)


def test_compose_runs_the_right_commands(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert services["web"]["command"] == [
        "gunicorn",
        "-c",
        "deploy/gunicorn.conf.py",
        "config.wsgi",
    ]
    assert services["worker"]["command"][:4] == ["celery", "-A", "config", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "config", "beat"]
    # Beat's schedule file lives on its own volume: the image's /app is not writable.
    schedule = services["beat"]["command"][services["beat"]["command"].index("--schedule") + 1]
    assert any(schedule.startswith(v.split(":")[1]) for v in services["beat"]["volumes"])
    migrate = " ".join(services["migrate"]["command"])
    assert "manage.py migrate --noinput" in migrate and "load_reference_data" in migrate
    assert services["migrate"]["restart"] == "no"


def test_the_app_services_share_one_image_and_production_settings(
    compose: dict[str, Any],
) -> None:
    for name in APP_SERVICES:
        service = compose["services"][name]
        assert service["image"] == "pheduyet:latest", name
        assert service["build"]["target"] == "app", name
        env = service["environment"]
        assert env["DJANGO_SETTINGS_MODULE"] == "config.settings.prod", name
        assert "@db:5432/" in env["DATABASE_URL"], name
        assert env["CELERY_BROKER_URL"].startswith("redis://redis:6379/"), name
        assert service["env_file"] == ".env", name


def test_web_and_worker_share_media_and_the_signing_key(compose: dict[str, Any]) -> None:
    for name in ("web", "worker"):
        service = compose["services"][name]
        media_root = service["environment"]["DJANGO_MEDIA_ROOT"]
        assert f"media:{media_root}" in service["volumes"], name
        assert service["secrets"] == ["signing_p12"], name
        assert service["environment"]["SIGNING_P12_PATH"] == "/run/secrets/signing_p12"
    assert compose["secrets"]["signing_p12"]["file"] == "./secrets/signing.p12"


def test_the_app_starts_after_migrations_and_nginx_after_a_ready_app(
    compose: dict[str, Any],
) -> None:
    services = compose["services"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["redis"]["condition"] == "service_healthy", name
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])
    assert services["nginx"]["depends_on"]["web"]["condition"] == "service_healthy"


def test_only_nginx_is_published_and_it_reads_media_where_the_web_sends_it(
    compose: dict[str, Any],
) -> None:
    published = {name for name, s in compose["services"].items() if s.get("ports")}
    assert published == {"nginx"}
    nginx = compose["services"]["nginx"]
    assert nginx["build"]["target"] == "nginx"
    assert nginx["environment"]["APP_UPSTREAM"] == "web:8000"
    # The web names a file under the internal location's prefix; nginx reads the web's media
    # volume, read-only, at the path that location aliases.
    [(prefix, body)] = media_locations(site())
    alias = re.search(r"alias (\S+);", body)
    assert alias
    assert [v for v in nginx["volumes"] if "media" in v] == [
        f"media:{alias.group(1).rstrip('/')}:ro"
    ]
    assert compose["services"]["web"]["environment"]["DJANGO_MEDIA_ACCEL_PREFIX"] == prefix


# --- Dockerfile ----------------------------------------------------------------------------

# Debian bookworm's package for each shared library the application loads.
PACKAGE_OF = {
    "libgobject-2.0.so.0": "libglib2.0-0",
    "libpango-1.0.so.0": "libpango-1.0-0",
    "libharfbuzz.so.0": "libharfbuzz0b",
    "libharfbuzz-subset.so.0": "libharfbuzz-subset0",
    "libfontconfig.so.1": "libfontconfig1",
    "libpangoft2-1.0.so.0": "libpangoft2-1.0-0",
    "libmagic.so.1": "libmagic1",
}
# Installed as dependencies of a package the Dockerfile names.
PULLED_IN = {"libglib2.0-0": "libpango-1.0-0", "libharfbuzz0b": "libpango-1.0-0"}
PULLED_IN |= {"libfontconfig1": "libpangoft2-1.0-0"}
# WeasyPrint tries it, but it is newer than bookworm; nothing needs it.
OPTIONAL = {"libharfbuzz-vector.so.0"}


def weasyprint_libraries() -> set[str]:
    """The Linux sonames WeasyPrint opens, read from the installed WeasyPrint."""
    import weasyprint.text.ffi

    source = Path(weasyprint.text.ffi.__file__).read_text()
    return set(re.findall(r"'(lib[\w.+-]+\.so\.\d+)'", source)) - OPTIONAL


def test_the_image_installs_what_weasyprint_and_libmagic_load() -> None:
    app = set(dockerfile_stages()["app"])
    needed = weasyprint_libraries() | {"libmagic.so.1"}
    unknown = needed - set(PACKAGE_OF)
    assert not unknown, f"WeasyPrint now loads {unknown}: add its package to the Dockerfile"
    for soname in needed:
        package = PACKAGE_OF[soname]
        assert package in app or PULLED_IN.get(package) in app, f"{soname} ({package})"
    # HarfBuzz's subsetter is optional to WeasyPrint, not to us: without it every PDF
    # embeds whole fonts.
    assert "libharfbuzz-subset0" in app
    assert any(p.startswith("fonts-") for p in app)


@pytest.mark.skipif(shutil.which("dpkg") is None, reason="not a Debian machine")
def test_the_package_names_are_debians() -> None:
    """The mapping above is what dpkg says on this (Debian) machine, where the tests pass."""
    for soname, package in PACKAGE_OF.items():
        found = subprocess.run(  # noqa: S603
            ["dpkg", "-S", soname],  # noqa: S607
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        owners = {line.split(":")[0] for line in found.splitlines() if ": /" in line}
        if owners:
            assert package in owners, f"{soname}: dpkg says {owners}"


def test_the_image_compiles_translations_collects_static_and_runs_as_non_root() -> None:
    stages = dockerfile_stages()
    assert set(stages) == {"build", "app", "nginx"}
    assert "gettext" in stages["build"]
    text = (DEPLOY / "Dockerfile").read_text()
    assert "python:3.11-slim" in text
    assert "manage.py compilemessages" in text and "manage.py collectstatic" in text
    app_stage = text.split(" AS app")[1].split(" AS nginx")[0]
    assert re.search(r"^USER app$", app_stage, re.MULTILINE)
    assert "COPY --from=build /app/staticfiles /srv/pheduyet/static" in text


def test_the_build_context_leaves_out_secrets_and_local_state() -> None:
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text().split()
    for entry in (".git", ".venv", ".env", "deploy/.env", "deploy/secrets", "*.p12", "var"):
        assert entry in ignored


# --- settings example ----------------------------------------------------------------------


def settings_read() -> set[str]:
    names = set()
    for path in [*(BASE_DIR / "config" / "settings").glob("*.py"), DEPLOY / "gunicorn.conf.py"]:
        text = path.read_text()
        names |= set(re.findall(r"env(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]+)\"", text))
        names |= set(re.findall(r"os\.environ\.get\(\s*\"([A-Z][A-Z0-9_]+)\"", text))
    return {n for n in names if not n.startswith("TEST_")}


def test_the_env_example_explains_every_setting_the_app_reads() -> None:
    example = (DEPLOY / ".env.example").read_text()
    listed = set(re.findall(r"^(?:# )?([A-Z][A-Z0-9_]+)=", example, re.MULTILINE))
    read = settings_read()
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "SIGNING_P12_PATH"} <= read
    assert read - listed == set()


# --- nginx, gunicorn, systemd --------------------------------------------------------------


def test_nginx_serves_static_limits_uploads_and_passes_the_proxy_headers() -> None:
    conf = site()
    assert "alias /srv/pheduyet/static/;" in conf
    limit = re.search(r"client_max_body_size (\d+)m;", conf)
    assert limit and int(limit.group(1)) * 1024 * 1024 > settings.ATTACHMENT_MAX_BYTES
    for header in ("Host $host", "X-Forwarded-Proto $scheme", "X-Real-IP $remote_addr"):
        assert f"proxy_set_header {header};" in conf
    assert "return 301 https://" in conf
    # Media only once Django has checked access: the one location that reads it is internal,
    # at the prefix the settings example names.
    [(prefix, body)] = media_locations(conf)
    assert re.search(r"^\s*internal;$", body, re.MULTILINE)
    assert "alias /srv/pheduyet/media/;" in body
    example = (DEPLOY / ".env.example").read_text()
    assert f"\nDJANGO_MEDIA_ACCEL_PREFIX={prefix}\n" in example


@pytest.mark.skipif(NGINX is None, reason="nginx is not installed")
def test_nginx_accepts_the_configuration(tmp_path: Path) -> None:
    """nginx -t on the site, wrapped in a minimal main configuration, with a dummy TLS pair."""
    assert NGINX
    self_signed_pair(tmp_path, "baocao.example.vn")
    conf = site(APP_UPSTREAM="127.0.0.1:8000").replace("/etc/nginx/tls/", f"{tmp_path}/")
    (tmp_path / "site.conf").write_text(conf)
    (tmp_path / "nginx.conf").write_text(main_config(tmp_path, tmp_path / "site.conf"))
    result = subprocess.run(  # noqa: S603
        [NGINX, "-t", "-q", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_gunicorn_config_logs_json_and_leaves_the_access_log_to_django(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("GUNICORN_BIND", raising=False)
    monkeypatch.setenv("LOG_FORMAT", "json")
    namespace: dict[str, Any] = {}
    exec(compile((DEPLOY / "gunicorn.conf.py").read_text(), "gunicorn.conf.py", "exec"), namespace)  # noqa: S102
    assert namespace["bind"] == "0.0.0.0:8000"
    assert namespace["accesslog"] is None
    formatter = namespace["logconfig_dict"]["formatters"]["json"]["()"]
    assert formatter == "core.logs.JsonFormatter"


def unit(name: str) -> str:
    return (DEPLOY / "systemd" / name).read_text()


def test_systemd_units_run_web_worker_beat_and_the_reminder_timer() -> None:
    assert "gunicorn -c deploy/gunicorn.conf.py --bind 127.0.0.1:8000 config.wsgi" in unit(
        "pheduyet-web.service"
    )
    assert "celery -A config worker" in unit("pheduyet-worker.service")
    assert "celery -A config beat" in unit("pheduyet-beat.service")
    assert "manage.py send_reminders" in unit("pheduyet-reminders.service")
    assert "Type=oneshot" in unit("pheduyet-reminders.service")
    assert "OnCalendar=" in unit("pheduyet-reminders.timer")
    for name in ("web", "worker", "beat", "reminders"):
        text = unit(f"pheduyet-{name}.service")
        assert "User=pheduyet" in text, name
        assert "EnvironmentFile=/etc/pheduyet/env" in text, name
