"""aicities-zh: an annotated corpus of Chinese news on how cities build an AI industry.

Offsets everywhere in this package are half-open ``[start, end)`` Unicode code point
indices into a document's clean text (``corpus/clean/<doc_id>.txt``) unless a docstring
says otherwise.
"""
