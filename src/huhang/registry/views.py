"""Registry pages: thin views — access → form → service → response."""

from __future__ import annotations

import io
from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from huhang.core import exports
from huhang.core.access import require
from huhang.core.forms import Form, submit
from huhang.core.paging import render_list
from huhang.core.views import download, form_page, private_file
from huhang.registry import archives, forms, selectors, services


def child_list(request):
    require(request.user, "registry.view")
    form = forms.ChildFilterForm(request.GET or None, user=request.user)
    rows = selectors.child_list(user=request.user, filters=form.filters())
    return render_list(request, "registry/child_list.html", rows, {"form": form})


def child_export(request, fmt: str):
    """The filtered list as XLSX (for people: docs/files.md) or CSV (for machines: UTF-8 by
    default, `encoding=gb18030` or `utf-8-bom`), as the user may see each child."""
    require(request.user, "registry.view")
    filters = forms.ChildFilterForm(request.GET or None, user=request.user).filters()
    encoding = request.GET.get("encoding", "utf-8")
    if encoding not in exports.CSV_ENCODINGS:
        encoding = "utf-8"
    columns, rows = selectors.child_export_rows(user=request.user, filters=filters)
    out = io.BytesIO()
    if fmt == "xlsx":
        title = _("儿童名单")
        period = _("导出于 %(day)s") % {"day": timezone.localdate().isoformat()}
        sheet = exports.Sheet(title, columns, rows, title=title, period=period)
        exports.write_xlsx(out, [sheet])
        return download(out.getvalue(), exports.XLSX_CONTENT_TYPE, "children.xlsx")
    exports.write_csv(out, columns, rows, encoding=encoding)
    return download(out.getvalue(), exports.csv_content_type(encoding), "children.csv")


@require_http_methods(["GET", "POST"])
def child_create(request):
    require(request.user, "registry.edit")
    form = forms.ChildForm(request.POST or None, user=request.user)
    child = submit(request, form, lambda: services.child_register(by=request.user, **_data(form)))
    if child is not None:
        return _back(request, child, _("已为 %(name)s 建档。") % {"name": child.person.name})
    return render(request, "registry/child_form.html", {"form": form, "creating": True})


@require_http_methods(["GET", "POST"])
def child_edit(request, pk: int):
    child = selectors.child_for_edit(user=request.user, pk=pk)
    person = child.person
    initial = {
        "name": person.name,
        "id_number": person.id_number,
        "sex": person.sex,
        "birth_date": person.birth_date,
        "division": child.division,
        "version": child.version,
        **{f: getattr(child, f) for f in services.CHILD_FIELDS},
    }
    form = forms.ChildForm(request.POST or None, initial=initial, user=request.user)
    saved = submit(
        request,
        form,
        lambda: services.child_update(
            by=request.user, child=child, version=form.cleaned_data["version"] or 0, **_data(form)
        ),
    )
    if saved is not None:
        return _back(request, child, _("档案已保存。"))
    return render(request, "registry/child_form.html", {"form": form, "child": child})


@require_http_methods(["GET", "POST"])
def relation_create(request, pk: int):
    child = selectors.child_for_edit(user=request.user, pk=pk)
    form = forms.RelationForm(request.POST or None)
    return _child_step(request, child, form, services.relation_add)


@require_POST
def guardian_set(request, pk: int, relation_pk: int):
    child = selectors.child_for_edit(user=request.user, pk=pk)
    relation = selectors.relation_of(child=child, pk=relation_pk)
    services.guardian_set(by=request.user, child=child, relation=relation)
    return _back(request, child, _("现监护人已变更。"))


@require_http_methods(["GET", "POST"])
def situation_create(request, pk: int):
    child = selectors.child_for_edit(user=request.user, pk=pk)
    relatives = selectors.child_relatives(child)
    form = forms.SituationForm(
        request.POST or None, child=child, relatives=relatives, initial=request.GET
    )
    return _child_step(request, child, form, services.situation_record)


@require_http_methods(["GET", "POST"])
def household_edit(request, pk: int):
    child = selectors.child_for_edit(user=request.user, pk=pk)
    form = forms.HouseholdForm(request.POST or None, child=child)
    return _child_step(request, child, form, services.household_update)


@require_http_methods(["GET", "POST"])
def category_create(request, pk: int):
    require(request.user, "category.propose")
    child = selectors.child_for_user(user=request.user, pk=pk)
    form = forms.CategoryProposeForm(request.POST or None)
    return _child_step(request, child, form, services.category_propose)


# step → (capability, form, service, title)
CATEGORY_STEPS: dict[str, tuple[str, type[Form], Callable[..., Any], Any]] = {
    "verify": (
        "category.verify",
        forms.CategoryVerifyForm,
        services.category_verify,
        gettext_lazy("核实"),
    ),
    "approve": (
        "category.approve",
        forms.CategoryApproveForm,
        services.category_approve,
        gettext_lazy("审批认定"),
    ),
    "end": (
        "category.verify",
        forms.CategoryEndForm,
        services.category_end,
        gettext_lazy("终止/驳回"),
    ),
    "confirm-end": (
        "category.approve",
        forms.CategoryEndConfirmForm,
        lambda *, confirm, **kw: services.category_end_confirm(**kw),
        gettext_lazy("确认终止"),
    ),
}


@require_http_methods(["GET", "POST"])
def category_step(request, pk: int, step: str):
    if step not in CATEGORY_STEPS:
        raise Http404
    capability, form_class, service, title = CATEGORY_STEPS[step]
    require(request.user, capability)
    assignment = selectors.category_for_user(user=request.user, pk=pk)
    form = form_class(request.POST or None, assignment=assignment)
    save = partial(service, by=request.user, assignment=assignment)
    heading = f"{title} · {assignment.get_category_display()}"
    saved = _("已保存：%(step)s。") % {"step": title}
    return archive_form(request, assignment.child, form, save, title=heading, saved=saved)


# --- One archive per child: duplicates, merge, un-merge ------------------------------------------


def duplicate_list(request):
    require(request.user, "registry.merge")
    rows = selectors.duplicates_open(user=request.user)
    return render_list(request, "registry/duplicate_list.html", rows, {})


@require_http_methods(["GET", "POST"])
def duplicate_step(request, pk: int, step: str):
    require(request.user, "registry.merge")
    review = selectors.duplicate_for_user(user=request.user, pk=pk)
    back = reverse("registry:duplicate_list")

    def merge(*, keep: str, reason: str) -> Any:
        kept, gone = (
            (review.first, review.second)
            if str(review.first.pk) == keep
            else (review.second, review.first)
        )
        return archives.child_merge(
            by=request.user, keep=kept, gone=gone, reason=reason, review=review
        )

    def dismiss(*, note: str) -> Any:
        return archives.duplicate_dismiss(by=request.user, review=review, note=note)

    save: Callable[..., Any]
    if step == "merge":
        form: Form = forms.DuplicateMergeForm(request.POST or None, review=review)
        save, title = merge, _("合并疑似重复档案")
    elif step == "distinct":
        form = forms.DuplicateDismissForm(request.POST or None)
        save, title = dismiss, _("不是同一儿童")
    else:
        raise Http404
    return form_page(
        request,
        form,
        save,
        saved=_("已处理。"),
        then=lambda record: redirect(back),
        title=f"{title} · #{review.first.pk} / #{review.second.pk}",
        back=back,
        template="registry/duplicate_form.html",
        review=review,
    )


@require_http_methods(["GET", "POST"])
def child_merge(request, pk: int):
    require(request.user, "registry.merge")
    child = selectors.child_for_edit(user=request.user, pk=pk)
    form = forms.MergeForm(request.POST or None)

    def save(*, other, reason):
        gone = selectors.child_for_edit(user=request.user, pk=other)
        return archives.child_merge(by=request.user, keep=child, gone=gone, reason=reason)

    return archive_form(request, child, form, save, title=form.heading, saved=str(form.saved))


@require_http_methods(["GET", "POST"])
def merge_undo(request, pk: int):
    require(request.user, "registry.merge")
    merge = selectors.merge_for_user(user=request.user, pk=pk)
    form = forms.UnmergeForm(request.POST or None)
    save = partial(archives.child_unmerge, by=request.user, merge=merge)
    title = _("撤销合并 · #%(gone)s → #%(kept)s") % {"gone": merge.merged_id, "kept": merge.kept_id}
    return archive_form(request, merge.kept, form, save, title=title, saved=_("合并已撤销。"))


@require_http_methods(["GET", "POST"])
def document_create(request, pk: int):
    child = selectors.child_for_edit(user=request.user, pk=pk)
    form = forms.DocumentForm(request.POST or None, request.FILES or None)
    return _child_step(request, child, form, _upload, multipart=True)


def _upload(*, file, **fields) -> Any:
    # The form's `file` is the service's `upload`.
    return services.document_upload(upload=file, **fields)


def document_download(request, pk: int):
    require(request.user, "registry.view")
    document = selectors.document_for_user(user=request.user, pk=pk)
    handle = services.document_open(by=request.user, document=document)
    name = f"document-{document.pk}.{document.extension}"
    return private_file(handle, document.content_type, filename=name)


def _data(form) -> dict:
    """A child form's fields for the services (the version travels on its own)."""
    return {k: v for k, v in form.cleaned_data.items() if k != "version"}


def _child_step(request, child, form, service, *, multipart: bool = False):
    """A form page of the child's archive, with the form's `heading`: a valid POST calls the
    service with the form's fields and goes back to the archive with the form's `saved`
    message; otherwise the page again, with any refusal on it."""
    save = partial(service, by=request.user, child=child)
    title, saved = form.heading, str(form.saved)
    return archive_form(request, child, form, save, title=title, saved=saved, multipart=multipart)


def _back(request, child, message: str):
    """After a saved step: the message, and back to the child's archive."""
    messages.success(request, message)
    return redirect("workbench:child_detail", pk=child.pk)


def archive_form(request, child, form, save, **page):
    """core.views.form_page for a page of the child's archive (registry/form_page.html, or a
    `template` extending it): once saved, back to the archive. Other apps' pages about a child
    (a home visit) use it too."""
    back = reverse("workbench:child_detail", args=[child.pk])
    page.setdefault("template", "registry/form_page.html")
    return form_page(
        request, form, save, then=lambda record: redirect(back), child=child, back=back, **page
    )
