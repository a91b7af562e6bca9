"""The type of every object id the API takes, in a path or a body (issue #9, found by
schemathesis): a positive 64-bit integer, as the databases store them. Anything else is
invalid input (422) before a query runs — an id beyond 64 bits used to crash SQLite's
driver (500) and be silently ignored by PostgreSQL."""

from __future__ import annotations

from typing import Annotated

from ninja import Path
from pydantic import Field

MAX_ID = 2**63 - 1

ObjectId = Annotated[int, Field(ge=1, le=MAX_ID)]
"""An id in a request body (`unit_id: ObjectId`, `material_ids: list[ObjectId]`)."""

PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
"""An id in a path (`def read(request, notice_id: PathId)`)."""
