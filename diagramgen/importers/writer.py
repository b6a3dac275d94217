"""Write an imported spec as YAML or JSON text, ready for people to keep editing."""

from __future__ import annotations

import io
import json
import re
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import SingleQuotedScalarString

from ..spec.sources import verify_syntax
from .notes import Imported

__all__ = ["dump_spec"]

# Strings a YAML 1.1 reader would take for something else (booleans, nulls, base-60 numbers):
# quoted, so the file means the same to every YAML reader, not only to YAML 1.2 ones.
_AMBIGUOUS = re.compile(
    r"y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF"
    r"|~|null|Null|NULL|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?|"
)


def dump_spec(imported: Imported, syntax: str = "yaml") -> str:
    """Return the imported spec as text in a spec syntax: ``"yaml"`` (written with ruamel.yaml)
    or ``"json"``.

    The document's ``$comment`` names the source files; keys keep the document's order.
    """
    if verify_syntax(syntax) == "json":
        return json.dumps(imported.document, indent=2, ensure_ascii=False) + "\n"
    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(_quoted(imported.document), out)
    return out.getvalue()


def _quoted(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _quoted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_quoted(item) for item in value]
    if isinstance(value, str) and _AMBIGUOUS.fullmatch(value):
        return SingleQuotedScalarString(value)
    return value
