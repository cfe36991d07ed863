"""core.forms.FilterForm: the filters of a list page, from its query string."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms

from huhang.core.forms import FilterForm


@dataclass(frozen=True)
class Shown:
    status: str = "open"
    year: int | None = None


class AsKeywords(FilterForm):
    status = forms.ChoiceField(choices=[("", "all"), ("open", "open")], required=False)


class AsDataclass(AsKeywords):
    filter_class = Shown
    year = forms.IntegerField(required=False, min_value=2000)


def test_filters_are_the_valid_forms_cleaned_data_as_keywords():
    assert AsKeywords({"status": "open"}).filters() == {"status": "open"}
    assert AsKeywords({}).filters() == {"status": ""}


def test_a_junk_value_filters_nothing():
    assert AsKeywords({"status": "closed"}).filters() == {}
    assert AsDataclass({"status": "open", "year": "1066"}).filters() == Shown()


def test_an_unbound_form_filters_nothing():
    assert AsKeywords().filters() == {}
    assert AsDataclass(None).filters() == Shown()


def test_filters_fill_the_selectors_dataclass():
    assert AsDataclass({"status": "", "year": "2026"}).filters() == Shown(status="", year=2026)
