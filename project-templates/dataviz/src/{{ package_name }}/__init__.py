"""A gallery of figures, each answering a question about the data (see README.md)."""
