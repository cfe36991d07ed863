"""factory-boy factories for every aggregate tests build, one module per app, with a seeded
faker (conftest.py reseeds before each test) and valid GB 11643 ID numbers.

Import from here: `from tests.factories import ChildFactory, CategoryFactory`.
"""

from tests.factories.base import DivisionFactory, OrganisationFactory, UserFactory
from tests.factories.registry import CategoryFactory, ChildFactory, PersonFactory

__all__ = [
    "CategoryFactory",
    "ChildFactory",
    "DivisionFactory",
    "OrganisationFactory",
    "PersonFactory",
    "UserFactory",
]
