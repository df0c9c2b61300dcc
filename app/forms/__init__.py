"""The registry of declared forms. Adding a module = declaring a FormSpec and listing it here."""

from .base import FormSpec
from .institution import INSTITUTION
from .litigation import LITIGATION
from .penalty import PENALTY
from .reconsideration import RECONSIDERATION

FORMS: dict[str, FormSpec] = {spec.code: spec for spec in (INSTITUTION, RECONSIDERATION, LITIGATION, PENALTY)}


def get_form(code: str) -> FormSpec:
    """The spec of form `code`; KeyError when there is none."""
    return FORMS[code]
