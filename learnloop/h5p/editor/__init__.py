"""The server side of LearnLoop's H5P editor (issue 15): the editor model, the ``/h5p/ajax``
actions, which content types the form engine can edit, and uploads into the temp area."""
