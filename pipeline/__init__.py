"""Committee performance report pipeline.

Data flows one way: input workbook -> validated tables (``workbook``) -> indicator
cards (``cards``, pure computation) -> one document model -> renderers (DOCX, PDF,
charts) -> agenda pack -> mail.
"""

__version__ = "0.1.0"
