"""Exporting content: the .h5p package, SCORM 1.2/2004 packages and offline HTML."""
