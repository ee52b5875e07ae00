"""Long work done by the workers (large PDFs, ZIPs of reports), with its progress."""
