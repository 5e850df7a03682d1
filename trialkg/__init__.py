"""trialkg: a knowledge graph of drugs, clinical trials and their outcomes."""

__version__ = "0.1.0"
