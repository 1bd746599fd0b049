"""The H5P editor's pages: the content-type picker and the form (engine.js) for new and
existing content."""
