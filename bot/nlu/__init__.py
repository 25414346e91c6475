"""Custom Rasa NLU components for Chinese citizens' input."""
