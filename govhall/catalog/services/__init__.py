"""Domain services of the item catalogue: the only code that writes catalogue rows."""
