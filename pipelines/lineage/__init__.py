"""Where a figure came from: formula, values, delivered files, model chain."""
