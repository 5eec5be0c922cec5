"""Clinical text to proposed case facts, each with the sentence it came from (medspaCy)."""
