"""Job-analysis studies: experts' cards, the facilitator's sort, ratings, decisions, apply."""
