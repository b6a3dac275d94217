"""The spec stage: read a spec (JSON or YAML), validate it, and build its model.

``load`` and ``load_text`` are the way in; the model (:mod:`.model`) is what every later stage
works on.
"""

from __future__ import annotations

from .limits import DEFAULT_LIMITS, Limits, parse_limits
from .load import load, load_text, read_spec_file, read_spec_stream
from .model import Spec, build
from .schema import schema, schema_text
from .sources import SYNTAXES, Source, read, syntax_of
from .validate import validate

__all__ = [
    "DEFAULT_LIMITS",
    "SYNTAXES",
    "Limits",
    "Source",
    "Spec",
    "build",
    "load",
    "load_text",
    "parse_limits",
    "read",
    "read_spec_file",
    "read_spec_stream",
    "schema",
    "schema_text",
    "syntax_of",
    "validate",
]
