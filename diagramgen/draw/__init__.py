"""The drawing stage: model + totals + theme → DOT, and Graphviz's SVG finished for the web.

Each host is an HTML-like table with exact cell sizes (:mod:`.stacks`, :mod:`.cells`); the
layout (:mod:`.layout`) places the tables, the totals panel and the links.
"""
