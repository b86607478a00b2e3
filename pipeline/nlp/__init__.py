"""Stage 2, nlp: spaCy analysis of sentences, figures, decisions, framing words and text normalisation."""
