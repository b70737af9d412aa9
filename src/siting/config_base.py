"""Pieces shared by every model's parameter schema (kept apart to avoid import cycles)."""

from __future__ import annotations

import difflib

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """A TOML section: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def did_you_mean(word: str, options) -> str:
    close = difflib.get_close_matches(word, list(options), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""
