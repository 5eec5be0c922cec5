"""The one shape every regulatory clock returns."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class DueDate(BaseModel):
    """A date (or, for clocks counted in hours, a date and time) and the rule that sets it."""

    model_config = ConfigDict(frozen=True)

    rule: str = Field(description="What is due, in plain words.")
    citation: str
    due: datetime | date
    counted_from: datetime | date
    rolls_forward: bool = Field(
        default=False, description="The rule moves a due date off weekends and holidays."
    )
    rolled_from: date | None = Field(
        default=None, description="Where the window ended before it was moved to a business day."
    )
    note: str | None = None

    @property
    def due_date(self) -> date:
        return self.due.date() if isinstance(self.due, datetime) else self.due
