"""The quality report of a content item: a deterministic, offline critic of its params."""
