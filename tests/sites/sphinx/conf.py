# A small furo site: the diagramgen directive in reStructuredText and through MyST.
project = "diagramgen Sphinx test site"
extensions = ["myst_parser", "diagramgen.sphinx"]
html_theme = "furo"
numfig = True
myst_enable_extensions = ["colon_fence"]
exclude_patterns = ["_build"]
latex_documents = [("index", "book.tex", project, "diagramgen", "manual")]
