"""Allow ``python -m diagramgen``."""

from .cli import main

main()
