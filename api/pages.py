"""The HTML around the API: the signed-in user's token page and the documentation page."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.validators import MaxValueValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from drf_spectacular.views import SpectacularSwaggerSplitView

from core import clock

from .models import ApiToken
from .tokens import TokenError, max_days, token_create, token_revoke

DEFAULT_DAYS = 90


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name (what the token is for)"),
        max_length=100,
        error_messages={"required": gettext_lazy("Give the token a name.")},
    )
    days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"),
        min_value=1,
        initial=DEFAULT_DAYS,
        error_messages={"required": gettext_lazy("Say how many days the token lasts.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        days = cast(forms.IntegerField, self.fields["days"])
        days.max_value = max_days()
        days.validators.append(MaxValueValidator(max_days()))
        days.widget.attrs["max"] = max_days()
        for name, field in self.fields.items():
            field.widget.attrs.update({"class": "form-control", "id": f"token-{name}"})


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    """The user's tokens: make one (its text is shown on this answer only) or revoke one."""
    user = cast(User, request.user)
    form = TokenForm()
    created = ""
    if request.method == "POST":
        form = TokenForm(request.POST)
        if form.is_valid():
            try:
                _token, created = token_create(
                    user=user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
                )
            except TokenError as exc:
                form.add_error(None, str(exc))
            else:
                form = TokenForm()
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "created": created,
            "tokens": ApiToken.objects.filter(user=user),
            "now": clock.now(),
        },
    )


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    if token_revoke(user=cast(User, request.user), pk=pk):
        messages.success(request, _("The token was revoked: it no longer works."))
    else:
        messages.error(request, _("There is no such token to revoke."))
    return redirect("api:tokens")


class ApiDocs(SpectacularSwaggerSplitView):
    """Swagger UI from our static files; its start-up script is a separate file, so the page
    runs under the Content Security Policy without inline script or style."""

    template_name = "api/swagger_ui.html"
