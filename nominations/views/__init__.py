"""Server-rendered web pages (Simplified Chinese). One module per audience."""
