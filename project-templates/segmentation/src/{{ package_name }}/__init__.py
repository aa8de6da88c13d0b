"""Customer market segmentation with K-means: data, model, report and app."""

__version__ = "0.1.0"
