"""The corpus stage: raw pages → clean text, paragraphs, provenance, statistics."""
