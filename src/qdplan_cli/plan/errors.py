"""Errors a user can act on. The CLI edge turns them into one Chinese line and exit code 2."""

from __future__ import annotations


class UserError(Exception):
    """Bad input from the user: a flag, a case file, a config. Exit code 2."""

    exit_code = 2

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

    def __str__(self) -> str:
        if self.field and self.field not in self.message:
            return f"{self.field}：{self.message}"
        return self.message


class PlanNotAllowedError(UserError):
    """The chosen plan is not one the plan allows for this stage and fault (4.2.2, 5.2)."""


class StorageError(UserError):
    """The disk refused a write (full, read-only, no permission): nothing was saved. Exit 4."""

    exit_code = 4


class ChainBrokenError(UserError):
    """The stored record of an incident fails its hash-chain check (``qdplan verify``). Exit 1."""

    exit_code = 1
