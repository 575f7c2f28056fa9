"""presslens's spaCy components; each module registers one versioned factory."""
