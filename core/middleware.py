"""Vietnamese unless the user chose otherwise."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_cache_control


class LanguageMiddleware:
    """Like LocaleMiddleware, but the browser's Accept-Language is not consulted.

    Every page is Vietnamese by default, whatever language the browser was set
    up in; the switcher (django.views.i18n.set_language) stores the choice of
    English in the language cookie.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response


class NoStoreWhenSignedInMiddleware:
    """Every answer to a signed-in user is kept by no cache (Cache-Control: private, no-store,
    as the private downloads of core.downloads already say).

    A province's figures stay out of a shared office computer's disk cache and back
    button, and out of any proxy between; public pages (sign-in, /verify/, static files)
    keep their own headers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response
