"""The nginx site of deploy/nginx as the tests run it: the template filled in, and a minimal
main configuration around it that keeps every path nginx writes under a test's directory."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from django.conf import settings

TEMPLATE = Path(settings.BASE_DIR) / "deploy" / "nginx" / "pheduyet.conf.template"
# Debian installs it in /usr/sbin, which an ordinary user's PATH may leave out.
NGINX = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}:/usr/sbin")
PLACEHOLDERS = {"APP_UPSTREAM": "web:8000", "SERVER_NAME": "baocao.example.vn", "MAX_UPLOAD": "25m"}


def site(**values: str) -> str:
    """The template with ${APP_UPSTREAM}, ${SERVER_NAME} and ${MAX_UPLOAD} filled in, as
    the nginx image's envsubst does (compose's values unless given)."""
    filled = PLACEHOLDERS | values
    return re.sub(r"\$\{(\w+)\}", lambda m: filled[m.group(1)], TEMPLATE.read_text())


def media_locations(conf: str) -> list[tuple[str, str]]:
    """(prefix, body) of every location whose directives mention media."""
    directives = re.sub(r"#.*", "", conf)
    blocks = re.findall(r"location\s+([^{]+?)\s*\{([^{}]*)\}", directives)
    return [(prefix, body) for prefix, body in blocks if "media" in body]


def main_config(directory: Path, site_file: Path, *, foreground: bool = False) -> str:
    """nginx.conf for ``nginx -c``. In the foreground it is one process running as the user
    who started it (no switch to "nobody"), so it reads the test's own files."""
    temp = " ".join(
        f"{kind}_temp_path {directory}/{kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    head = f"pid {directory}/nginx.pid; error_log stderr;\n"
    if foreground:
        head += "daemon off; master_process off;\n"
    return head + f"events {{}}\nhttp {{ {temp} access_log off; include {site_file}; }}\n"


def self_signed_pair(directory: Path, *names: str) -> None:
    """fullchain.pem and privkey.pem in ``directory``: a certificate for ``names``
    (DNS names, or IP:address), its own issuer."""
    subprocess.run(  # noqa: S603
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",  # noqa: S607
         "-nodes", "-days", "1", "-subj", "/CN=pheduyet-test",
         "-addext", "subjectAltName=" + ",".join(n if ":" in n else f"DNS:{n}" for n in names),
         "-keyout", str(directory / "privkey.pem"), "-out", str(directory / "fullchain.pem")],
        check=True, capture_output=True,
    )  # fmt: skip
