"""Problems with the user's input, reported by file, row, column and rule."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InputProblem:
    """One problem in one place of the input."""

    file: str
    row: int | None  # 1-based line number in the file (the header is line 1)
    column: str | None
    rule: str  # a rule id such as R-WIN, or "DATA" for the data contract
    message: str

    def __str__(self) -> str:
        place = self.file
        if self.row is not None:
            place += f", row {self.row}"
        if self.column:
            place += f", column {self.column}"
        return f"{place}: [{self.rule}] {self.message}"


class InputError(Exception):
    """The input cannot be used; ``problems`` says every reason found."""

    def __init__(self, problems: list[InputProblem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
