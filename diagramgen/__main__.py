"""Allow ``python -m diagramgen``."""

from .launch import main

main()
