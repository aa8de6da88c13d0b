"""Classifiers for the UCI Mushroom data, their evaluation and a Streamlit app."""
