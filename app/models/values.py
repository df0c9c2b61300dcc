"""One value table per form, generated from its declarations so the columns never drift: the
union of every version's fields (a field a version does not collect stays NULL in its rows).

Each row holds one revision of one filing's figures: counts as INTEGER, money as BIGINT
fen, text as VARCHAR. The filing's `revision` names the row that reports read.
"""

from flask_appbuilder import Model
from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import mapped_column

from ..forms import VERSIONS
from ..forms.base import COUNT, MONEY
from ..forms.versions import all_fields


def _column_type(f):
    if f.kind == COUNT:
        return Integer
    if f.kind == MONEY:
        return BigInteger
    return String(f.max_length)


def build_value_model(code: str) -> type:
    """Declare `values_<code>` with a column per field of any version of the form."""
    attrs = {
        "__tablename__": f"values_{code}",
        "__table_args__": (
            UniqueConstraint("filing_id", "revision", name=f"uq_values_{code}"),
        ),
        "id": mapped_column(Integer, primary_key=True),
        "filing_id": mapped_column(ForeignKey("filing.id"), nullable=False, index=True),
        "revision": mapped_column(Integer, nullable=False),
    }
    for f in all_fields(VERSIONS[code]):
        attrs[f.name] = mapped_column(_column_type(f), nullable=True)
    name = "".join(part.title() for part in code.split("_")) + "Values"
    return type(name, (Model,), attrs)


VALUE_MODELS: dict[str, type] = {code: build_value_model(code) for code in VERSIONS}


def value_model(form_code: str) -> type:
    """The value table model of a form."""
    return VALUE_MODELS[form_code]
