"""The Label Studio round trip: config, tasks, push, pull/import, merge.

* ``config`` — the labeling config generated from the schema;
* ``convert`` — Label Studio results ↔ spans and paragraph labels (paragraph offsets);
* ``tasks`` — one task per paragraph, with rule or gold predictions/annotations;
* ``server`` — the SDK calls (push, export, users), failures as ``ServerError``;
* ``received`` — exports → each annotator's received work → the reported merge into gold.

Offsets are half-open code points everywhere, as in Label Studio's ``<Text>``.
"""
