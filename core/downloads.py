"""A private file (an attachment, a receipt PDF), answered once the view has checked access.

Behind our nginx, Django names the file in X-Accel-Redirect and nginx sends it from an
`internal` location (deploy/nginx/pheduyet.conf.template), so a large download holds
no gunicorn worker. nginx keeps this answer's Content-Type, Content-Disposition and
Cache-Control. Without MEDIA_ACCEL_REDIRECT_PREFIX, Django streams the file itself.
"""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header


def private_file_response(file: FieldFile, *, filename: str, content_type: str) -> HttpResponseBase:
    """``file`` as a download named ``filename``, kept by no cache; a 404 if there is none."""
    if not file.name:
        raise Http404
    response: HttpResponseBase
    if prefix := settings.MEDIA_ACCEL_REDIRECT_PREFIX:
        response = HttpResponse(content_type=content_type)
        # The stored name (a hash, or receipts/...), relative to MEDIA_ROOT as nginx's alias.
        response["X-Accel-Redirect"] = f"{prefix.rstrip('/')}/{quote(file.name)}"
        response["Content-Disposition"] = content_disposition_header(True, filename)
    else:
        response = FileResponse(
            file.open("rb"), as_attachment=True, filename=filename, content_type=content_type
        )
    patch_cache_control(response, private=True, no_store=True)
    return response
