"""Deterministic sample data sets that look like the public lakes lakeferry's examples use."""
