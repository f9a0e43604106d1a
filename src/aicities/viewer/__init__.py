"""The static viewer of the corpus and its annotations (``aicities show``)."""
