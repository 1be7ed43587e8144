"""Officers' commentary: the rules it must meet, the forms sent to officers, and merging them back into the master."""
