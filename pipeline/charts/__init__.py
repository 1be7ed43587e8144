"""Charts drawn from the model's chart specifications, cached by content."""
