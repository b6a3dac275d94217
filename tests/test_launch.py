"""The console script starts the engine process only for commands that may need it."""

from __future__ import annotations

import pytest

from diagramgen.launch import _draws_embedded


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["render", "specs"], True),
        (["render", "-", "-f", "png"], True),
        (["compare", "a.json", "b.json"], True),
        (["render", "specs", "--engine", "system"], False),
        (["render", "specs", "--engine=system"], False),
        (["render", "specs", "--engine", "embedded"], True),
        (["compare", "a.json", "b.json", "--json"], False),
        (["render", "--help"], False),
        (["validate", "specs/vm.json"], False),
        (["totals", "specs/vm.json"], False),
        ([], False),
    ],
)
def test_the_engine_process_starts_only_where_it_may_draw(
    arguments: list[str], expected: bool
) -> None:
    assert _draws_embedded(arguments) is expected
