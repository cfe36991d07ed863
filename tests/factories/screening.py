"""Feed batches, leads, link reviews and screening runs."""

from __future__ import annotations

from datetime import date, timedelta

import factory
from django.conf import settings
from django.utils import timezone

from huhang.core import idnumber
from huhang.core.roles import Role
from huhang.registry.models import Category
from huhang.screening.models import (
    Engine,
    FeedBatch,
    Lead,
    LeadKind,
    LeadStatus,
    LinkReview,
    LinkStatus,
    RunStatus,
    ScreeningRun,
)
from huhang.screening.runs.services import stored_person_key
from tests.factories.base import DivisionFactory, UserFactory

# How one evidence item of a lead reads in words (leads/evidence.py).
EVIDENCE = [
    {
        "source": "police",
        "batch": 1,
        "row": 12,
        "fact": "father dead",
        "dates": {"status_date": "2025-03-01"},
    }
]
EVIDENCE_WORDS = "公安人口信息 第 12 行：父亲 死亡 2025-03-01"


def _officer(role: str) -> factory.SubFactory:
    """An officer of a division-bound role (bound to the district unless told otherwise)."""
    return factory.SubFactory(UserFactory, role=role, division=factory.SubFactory(DivisionFactory))


def _child_fact(path: str, otherwise: factory.declarations.BaseDeclaration) -> factory.Maybe:
    """The registered child's fact (`child.person.<path>`), or `otherwise` for a new child."""
    return factory.Maybe(
        "child",
        yes_declaration=factory.SelfAttribute(f"child.person.{path}"),
        no_declaration=otherwise,
    )


class FeedBatchFactory(factory.django.DjangoModelFactory):
    """An imported file's batch (the metadata only: write a snapshot for the engines)."""

    class Meta:
        model = FeedBatch

    source = "education"
    as_of = factory.LazyFunction(timezone.localdate)
    file_name = factory.LazyAttribute(lambda o: f"{o.source}.csv")
    file_size = 1
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    rows = 10
    accepted = factory.SelfAttribute("rows")


class ScreeningRunFactory(factory.django.DjangoModelFactory):
    """A screening run, done unless `queued=True` or `running=True`."""

    class Meta:
        model = ScreeningRun

    as_of = factory.LazyFunction(timezone.localdate)
    engine = Engine.DUCKDB
    root = factory.LazyFunction(lambda: settings.HUHANG_ROOT_DIVISION)
    status = RunStatus.DONE
    started_by = _officer(Role.BUREAU)
    finished_at = factory.LazyFunction(timezone.now)

    class Params:
        queued = factory.Trait(status=RunStatus.QUEUED, finished_at=None)
        running = factory.Trait(status=RunStatus.RUNNING, finished_at=None)


class LeadFactory(factory.django.DjangoModelFactory):
    """A lead the screening raised, waiting for the field check (new). Give `child` for a
    registered child (its person's facts are copied) and `division` where it is routed (the
    child's community by default); without `child`, a child with no archive yet, 9 years old,
    with a valid ID number. `kind` also sets the category it starts (none for ending and
    scholarship kinds). Traits move it along the workflow, each step by another officer:
    `verified=True`, `reviewed=True`, `approved=True`, `returned=True` (rejected, with a reason).
    """

    class Meta:
        model = Lead

    class Params:
        verified = factory.Trait(
            status=LeadStatus.VERIFIED,
            verified_by=_officer(Role.DIRECTOR),
            verified_at=factory.LazyFunction(timezone.now),
            verify_note="入户核实属实",
        )
        reviewed = factory.Trait(
            verified=True,
            status=LeadStatus.REVIEWED,
            reviewed_by=_officer(Role.SUPERVISOR),
            reviewed_at=factory.LazyFunction(timezone.now),
        )
        approved = factory.Trait(
            reviewed=True,
            status=LeadStatus.APPROVED,
            decided_by=_officer(Role.BUREAU),
            decided_at=factory.LazyFunction(timezone.now),
        )
        returned = factory.Trait(
            status=LeadStatus.REJECTED,
            decided_by=_officer(Role.DIRECTOR),
            decided_at=factory.LazyFunction(timezone.now),
            reject_reason="经走访核实情况不属实",
        )

    kind = LeadKind.ORPHAN
    child = None
    division = factory.Maybe(
        "child",
        yes_declaration=factory.SelfAttribute("child.division"),
        no_declaration=factory.SubFactory(DivisionFactory),
    )
    name = _child_fact("name", factory.Faker("name"))
    sex = _child_fact("sex", factory.Iterator(["M", "F"]))
    birth_date = _child_fact(
        "birth_date",
        factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=365 * 9 + 100)),
    )
    id_number = _child_fact(
        "id_number",
        factory.LazyAttributeSequence(
            lambda o, n: idnumber.make(
                "150203", o.birth_date, (n % 500) * 2 + (1 if o.sex == "M" else 0)
            )
        ),
    )
    # Stored as the runs store it: the number's blind index, never the number.
    person_key = factory.LazyAttribute(lambda o: stored_person_key(o.id_number, o.id_number))
    category = factory.LazyAttribute(lambda o: o.kind if o.kind in Category.values else "")
    region_code = factory.SelfAttribute("division.code")
    evidence = factory.LazyFunction(lambda: [dict(item) for item in EVIDENCE])
    fingerprint = factory.Sequence(lambda n: f"lead-{n}")


class LinkReviewFactory(factory.django.DjangoModelFactory):
    """A student-register row the linker could not link with certainty, open, with its best
    candidate of the population register (the same name and birth date: a homonym)."""

    class Meta:
        model = LinkReview

    class Params:
        birth = date(2014, 5, 17)
        linked = factory.Trait(
            status=LinkStatus.LINKED,
            resolved_by=_officer(Role.SUPERVISOR),
            resolved_at=factory.LazyFunction(timezone.now),
        )
        distinct = factory.Trait(
            status=LinkStatus.DISTINCT,
            resolved_by=_officer(Role.SUPERVISOR),
            resolved_at=factory.LazyFunction(timezone.now),
        )

    batch = factory.SubFactory(FeedBatchFactory, source="education")
    row = factory.Sequence(lambda n: n + 2)
    name = "张伟"
    sex = "M"
    birth_date = factory.SelfAttribute("birth")
    division = factory.SubFactory(DivisionFactory)
    region_code = factory.SelfAttribute("division.code")
    detail = factory.LazyAttribute(
        lambda o: {
            "student_number": f"G{o.row:04d}",
            "school": "昆都仑区第一小学",
            "hukou_code": o.region_code,
            "residence_code": o.region_code,
            "candidate_sex": o.sex,
            "candidate_hukou_code": o.region_code,
            "candidate_residence_code": o.region_code,
            "reason": "homonym",
        }
    )
    candidate_id_number = factory.LazyAttributeSequence(
        lambda o, n: idnumber.make("150203", o.birth_date, (n % 500) * 2 + 1)
    )
    candidate_name = factory.SelfAttribute("name")
    candidate_birth_date = factory.SelfAttribute("birth_date")
    candidate_region_code = factory.SelfAttribute("region_code")
    match_probability = 0.5
