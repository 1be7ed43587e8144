"""The HTML edition: the document model as one self-contained, accessible page."""
