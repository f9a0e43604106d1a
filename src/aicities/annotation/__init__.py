"""The annotation stage: schema, span records, figure words and normalizer, pre-annotation,
sheets, passes, agreement and the validator."""
