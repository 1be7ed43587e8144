"""The PDF renderer (ReportLab): story, layout, tagging (PDF/UA) and finishing."""
