"""What protects persons: pseudonyms, reduction of addresses to areas, disclosure control."""
