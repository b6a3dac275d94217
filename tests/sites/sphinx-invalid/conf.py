# A page with an invalid inline spec: a warning at its file:line:col (-W fails the build).
project = "diagramgen invalid spec"
extensions = ["diagramgen.sphinx"]
