"""REST API (django-ninja, OpenAPI at /api/docs). Same session login, same scope, same audit."""

from datetime import date

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from ninja import Field, NinjaAPI, Query, Schema
from ninja.pagination import PageNumberPagination, paginate
from ninja.security import django_auth

from huhang.core import facts, masking
from huhang.core.access import require
from huhang.core.exceptions import DomainError
from huhang.registry import selectors

api = NinjaAPI(title="Huhang API", version="1", auth=django_auth, urls_namespace="api")


class ChildOut(Schema):
    """A child as the caller may see it (core.masking.disclosure): the ID number masked, and
    for the roles that may not see birth dates, `birth_date` null and only `age`."""

    id: int
    name: str = Field(..., alias="person.name")
    id_number: str
    sex: str = Field(..., alias="person.sex")
    birth_date: date | None
    age: int
    division: str = Field(..., alias="division_id")
    categories: list[dict]

    @staticmethod
    def resolve_id_number(obj, context) -> str:
        return masking.shown_id(context["request"].user, obj.person.id_number)

    @staticmethod
    def resolve_birth_date(obj, context) -> date | None:
        seen = masking.disclosure(context["request"].user)
        return obj.person.birth_date if seen.birth_date else None

    @staticmethod
    def resolve_age(obj) -> int:
        return facts.age_on(obj.person.birth_date, timezone.localdate())

    @staticmethod
    def resolve_categories(obj) -> list[dict]:
        rows = getattr(obj, "open_categories", None)
        if rows is None:
            rows = [c for c in obj.category_list if c.status != "ended"]
        return [{"category": c.category, "status": c.status} for c in rows]


class ChildFilterIn(Schema):
    q: str = ""
    division: str = ""
    category: str = ""
    status: str = ""
    age_band: str = ""


@api.get("/children", response=list[ChildOut])
@paginate(PageNumberPagination, page_size=50)
def list_children(request, filters: Query[ChildFilterIn]):
    require(request.user, "registry.view")
    return selectors.child_list(user=request.user, filters=selectors.ChildFilter(**filters.dict()))


@api.get("/children/{child_id}", response=ChildOut)
def get_child(request, child_id: int):
    require(request.user, "registry.view")
    return selectors.child_archive(user=request.user, pk=child_id)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Not found"}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": "Forbidden"}, status=403)


@api.exception_handler(DomainError)
def refused(request, exc: DomainError):
    return api.create_response(request, {"detail": exc.message}, status=exc.status)
