"""Form helpers shared by every app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

from django import forms
from django.http import HttpRequest

from huhang.core.exceptions import ConcurrentEdit, DomainError
from huhang.core.id_messages import name_error_message
from huhang.core.names import name_problem

T = TypeVar("T")


def run_service(form: forms.Form, call: Callable[[], T]) -> T | None:
    """Call a service; a refusal becomes an error on the form field it names (or the form).

    A lost-update refusal is not caught here: it leaves the form entirely, and the middleware
    shows it as a page, because the user must reload before editing again.
    """
    try:
        return call()
    except ConcurrentEdit:
        raise
    except DomainError as exc:
        field = exc.field if exc.field in form.fields else None
        form.add_error(field, exc.message)
        return None


def submit(request: HttpRequest, form: forms.Form, call: Callable[[], T]) -> T | None:
    """For a POST with a valid form, the service's result (`run_service`); otherwise None: a
    GET, invalid input or a refusal shown on the form, all of which render the page again."""
    if request.method != "POST" or not form.is_valid():
        return None
    return run_service(form, call)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class Form(forms.Form):
    """Labels sit above their fields, so they need no trailing colon (": " reads wrong in Chinese)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class FilterForm(Form):
    """The filter form of a list page, bound to the query string. `filters()` gives the
    selector's filters: `filter_class` (a selector's filter dataclass, or a dict of keyword
    arguments) made of what the valid form asks for; a junk value filters nothing (the whole
    scope), it is no error."""

    filter_class: ClassVar[Callable[..., Any]] = dict

    def filters(self) -> Any:
        return self.filter_class(**self.cleaned_data) if self.is_valid() else self.filter_class()


def validate_person_name(value: str) -> None:
    """A form's person-name field: refuses what cannot be a name (core.names.name_problem)."""
    problem = name_problem(value.strip())
    if problem is not None:
        raise forms.ValidationError(name_error_message(problem), code="name")
