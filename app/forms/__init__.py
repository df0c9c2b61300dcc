"""The registry of declared forms. Adding a module = declaring a FormSpec and listing it here;
adding a version of a form = declaring it (with `version`, `valid_from`, `mapping`), listing it
here and a migration adding its new columns (see app/forms/versions.py)."""

from __future__ import annotations

from ..filing.periods import Period
from .base import FormSpec
from .institution import INSTITUTION_2006, INSTITUTION_2026
from .litigation import LITIGATION_2015, LITIGATION_2024
from .penalty import PENALTY_2021, PENALTY_2027
from .reconsideration import RECONSIDERATION_2015, RECONSIDERATION_2024
from .versions import order_versions, version_at

DECLARED = (
    INSTITUTION_2006, INSTITUTION_2026,
    RECONSIDERATION_2015, RECONSIDERATION_2024,
    LITIGATION_2015, LITIGATION_2024,
    PENALTY_2021, PENALTY_2027,
)

# {code: versions oldest first}
VERSIONS: dict[str, list[FormSpec]] = order_versions(DECLARED)
# {code: the newest version}: titles, menus, period kind and deadline rule (the same in every version).
FORMS: dict[str, FormSpec] = {code: versions[-1] for code, versions in VERSIONS.items()}


def get_form(code: str, period: Period | str | None = None) -> FormSpec:
    """The spec of form `code` in force for `period` (the newest without one); KeyError when none."""
    versions = VERSIONS[code]
    return versions[-1] if period is None else version_at(versions, period)


def form_of(filing) -> FormSpec:
    """The version a filing is filed under: its period's."""
    return get_form(filing.form_code, filing.period_key)
