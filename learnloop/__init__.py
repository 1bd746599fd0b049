"""LearnLoop: a self-hosted H5P content server and xAPI Learning Record Store."""

__version__ = "0.1.0"
