from __future__ import annotations

import pytest

from diagramgen.draw.themes import LAYERS, THEMES, contrast, verify_theme


@pytest.mark.parametrize("theme", THEMES.values(), ids=lambda t: t.name)
def test_every_text_colour_has_contrast_on_every_fill(theme: object) -> None:
    from diagramgen.draw.themes import Theme

    assert isinstance(theme, Theme)
    assert set(theme.fills) == set(LAYERS)
    for layer, fill in [*theme.fills.items(), ("background", theme.background)]:
        for role in ("text", "detail", "warn", "link"):
            ratio = contrast(getattr(theme, role), fill)
            assert ratio >= 4.5, f"{theme.name}: {role} on {layer} is {ratio:.2f}:1"


def test_contrast_matches_known_wcag_values() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_mono_uses_no_colour() -> None:
    mono = THEMES["mono"]
    for colour in [*mono.fills.values(), mono.text, mono.warn, mono.link, mono.border]:
        red, green, blue = (colour[i : i + 2] for i in (1, 3, 5))
        assert red == green == blue, colour


def test_verify_theme_lists_the_choices() -> None:
    assert verify_theme("dark").name == "dark"
    with pytest.raises(ValueError, match="light, dark, mono"):
        verify_theme("neon")
