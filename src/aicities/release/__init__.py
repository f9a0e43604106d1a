"""The release stage: the Hugging Face release, its card, datasheet, Croissant metadata,
splits, charts and the Hub push."""
