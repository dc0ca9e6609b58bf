"""PDF rendering shared by certificates and feedback reports: fonts, base renderer."""
