"""The registry of declared forms. Adding a module = declaring a FormSpec and listing it here."""

from .base import FormSpec
from .penalty import PENALTY

FORMS: dict[str, FormSpec] = {spec.code: spec for spec in (PENALTY,)}


def get_form(code: str) -> FormSpec:
    """The spec of form `code`; KeyError when there is none."""
    return FORMS[code]
