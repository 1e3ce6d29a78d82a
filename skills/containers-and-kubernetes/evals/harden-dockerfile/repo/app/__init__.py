"""report-renderer: turns HTML reports into compressed PDFs."""
