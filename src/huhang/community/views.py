"""Pieces shared by the community's pages; the pages themselves live in `<sub-domain>/views.py`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.contrib import messages
from django.db.models import Model
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render

from huhang.core.forms import run_service

M = TypeVar("M", bound=Model)


def form_page(
    request: HttpRequest,
    form: forms.Form,
    save: Callable[..., M],
    *,
    title: str,
    saved: str,
    then: str | Callable[[M], HttpResponseBase],
    multipart: bool = False,
) -> HttpResponseBase:
    """A page of one form that saves through a service. A valid POST calls `save` with the
    cleaned data as keywords: a refusal shows on the form (core.forms.run_service); success says
    `saved` and goes to the page `then` names for the record saved (or to `then(record)`).
    Anything else shows the form (again, with its errors)."""
    if request.method == "POST" and form.is_valid():
        result = run_service(form, lambda: save(**form.cleaned_data))
        if result is not None:
            messages.success(request, saved)
            return then(result) if callable(then) else redirect(then, pk=result.pk)
    context = {"form": form, "title": title, "multipart": multipart}
    return render(request, "community/form_page.html", context)


def private_file(file: FieldFile, content_type: str) -> FileResponse:
    """A stored file (an activity photo, an agreement) for one user only: never cached, never
    sniffed into another type than the one checked at upload."""
    response = FileResponse(file.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def done(request: HttpRequest, message: str, response: HttpResponse) -> HttpResponse:
    """An action that worked: say so on the next page."""
    messages.success(request, message)
    return response
