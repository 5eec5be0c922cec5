"""Derived facts as polars expressions: columns computed in the decision plan itself.

`derived.py` computes a fact the flat table does not hold as it stands once per distinct value
of its inputs, by the reference code, and the back ends join the values back. For the facts
below the reference is a few lines of plain logic (a column or the next, a code's table entry,
an age from a birth date), so on polars each is an expression instead: no table of distinct
values, no join. Each says what it mirrors in `engine/facts.py`; the differential tests hold
them to the tree walker. A fact not named here (the condition kind inferred from diagnoses, the
opaque prior-treatment tests) is still derived in Python.

Values are encoded as `derived._encode` encodes them: an enum by its value, a number as a float.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import polars as pl

from dermcover.case import Cause, UsState
from dermcover.codes.procedures import PROCEDURE_CODES
from dermcover.engine.compile.derived import KIND_FACT

# What Python's str.strip() takes away (the characters `str.isspace` holds true of): polars'
# whitespace is not quite the same set. Written out, as finding them by going through every
# code point took 60 ms at every start; a test holds the two equal.
PY_WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005"
    "\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _code_entry(attribute: Callable[[str], str | None]) -> pl.Expr:
    """What the procedure code's table entry says (`codes.procedures.lookup`), null for a
    code the table does not hold. The code is as the case model leaves it, trimmed and
    upper-cased, as `lookup` would make it."""
    table = {code: attribute(code) for code in PROCEDURE_CODES}
    known = {code: value for code, value in table.items() if value is not None}
    return pl.col("procedure.code").replace_strict(known, default=None, return_dtype=pl.String)


def _procedure_kind(today: date) -> pl.Expr:
    """`Procedure.resolved_kind`: the kind given, else the one the code stands for alone."""
    implied = _code_entry(lambda code: PROCEDURE_CODES[code].implies)
    return pl.coalesce(pl.col("procedure.kind"), implied)


def _depth(today: date) -> pl.Expr:
    """`facts._depth`: the depth given, else the one the code implies."""
    return pl.coalesce(
        pl.col("procedure.depth"), _code_entry(lambda code: PROCEDURE_CODES[code].depth)
    )


def _site(today: date) -> pl.Expr:
    """`facts._site`: the site given, else the face for a facial code."""
    facial = _code_entry(lambda code: "face" if PROCEDURE_CODES[code].facial else None)
    return pl.coalesce(pl.col("procedure.site"), facial)


def _cause(today: date) -> pl.Expr:
    """`facts._cause`: an unknown cause reads as not given."""
    cause = pl.col("condition.cause")
    return pl.when(cause != Cause.unknown.value).then(cause)


def _provider_state(today: date) -> pl.Expr:
    """`facts._provider_state`: the state's two-letter code, trimmed and upper-cased; any
    other text is unknown."""
    code = pl.col("provider.state").str.strip_chars(PY_WHITESPACE).str.to_uppercase()
    states = {name: UsState[name].value for name in UsState.__members__}
    return code.replace_strict(states, default=None, return_dtype=pl.String)


def _days_since_injury(today: date) -> pl.Expr:
    """`facts._days_since_injury`: the days given, else 30 a month since onset."""
    return pl.coalesce(
        pl.col("condition.days_since_injury"), pl.col("condition.months_since_onset") * 30
    ).cast(pl.Float64)


def _claim_diagnosis(today: date) -> pl.Expr:
    """`facts._claim_diagnoses`: the line's own codes, else the condition's."""
    return pl.coalesce(pl.col("procedure.claim_diagnoses"), pl.col("condition.diagnoses"))


def _age(today: date) -> pl.Expr:
    """`Patient.age_on(today)`: the age given, else the years since the birth date."""
    born = pl.col("patient.birth_date")
    before_birthday = (born.dt.month() > today.month) | (
        (born.dt.month() == today.month) & (born.dt.day() > today.day)
    )
    from_birth = pl.lit(today.year) - born.dt.year().cast(pl.Int64) - before_birthday.cast(pl.Int64)
    return pl.coalesce(pl.col("patient.age"), from_birth).cast(pl.Float64)


def _column(name: str) -> Callable[[date], pl.Expr]:
    """A fact that is its column as it stands (`facts._condition`)."""
    return lambda today: pl.col(name)


EXPRESSIONS: dict[str, Callable[[date], pl.Expr]] = {
    KIND_FACT: _procedure_kind,
    "depth": _depth,
    "site": _site,
    "cause": _cause,
    "provider_state": _provider_state,
    "days_since_injury": _days_since_injury,
    "claim_diagnosis": _claim_diagnosis,
    "age": _age,
    "recurrent": _column("condition.recurrent"),
    "individual_treatment_impractical": _column("condition.individual_treatment_impractical"),
    "hyperkeratotic": _column("condition.hyperkeratotic"),
    "atrophic_scars": _column("condition.atrophic_scars"),
}


def fact_expression(column: str, today: date) -> pl.Expr | None:
    """The expression for a derived fact's column (`fact:<name>`), None if it has none."""
    name = column.removeprefix("fact:")
    make = EXPRESSIONS.get(name) if column.startswith("fact:") else None
    return make(today).alias(column) if make is not None else None
