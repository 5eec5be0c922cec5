"""Da Vinci DTR from the packs: the questionnaire is the engine's own list of what it still
needs, so a form never asks what the policy does not need."""
