"""The H5P Hub: site registration, the content-type cache, installing types from the hub."""
