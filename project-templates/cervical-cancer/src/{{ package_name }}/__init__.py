"""Cervical cancer risk prediction: data, cross-validated models, reports and an app."""

__version__ = "0.1.0"
