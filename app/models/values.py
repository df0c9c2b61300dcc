"""One value table per form, generated from its declaration so the columns never drift.

Each row holds one revision of one filing's figures: counts as INTEGER, money as BIGINT
fen, text as VARCHAR. The filing's `revision` names the row that reports read.
"""

from flask_appbuilder import Model
from sqlalchemy import BigInteger, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import mapped_column

from ..forms import FORMS
from ..forms.base import COUNT, MONEY, FormSpec


def _column_type(f):
    if f.kind == COUNT:
        return Integer
    if f.kind == MONEY:
        return BigInteger
    return String(f.max_length)


def build_value_model(spec: FormSpec) -> type:
    """Declare `values_<code>` with a column per field of `spec`."""
    attrs = {
        "__tablename__": f"values_{spec.code}",
        "__table_args__": (
            UniqueConstraint("filing_id", "revision", name=f"uq_values_{spec.code}"),
        ),
        "id": mapped_column(Integer, primary_key=True),
        "filing_id": mapped_column(ForeignKey("filing.id"), nullable=False, index=True),
        "revision": mapped_column(Integer, nullable=False),
    }
    for f in spec.fields:
        attrs[f.name] = mapped_column(_column_type(f), nullable=True)
    name = "".join(part.title() for part in spec.code.split("_")) + "Values"
    return type(name, (Model,), attrs)


VALUE_MODELS: dict[str, type] = {code: build_value_model(spec) for code, spec in FORMS.items()}


def value_model(form_code: str) -> type:
    """The value table model of a form."""
    return VALUE_MODELS[form_code]
