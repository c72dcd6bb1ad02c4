"""Reading deliveries as municipalities send them: encodings, German notation, BA tables."""
