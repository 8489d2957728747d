"""Where things are kept: the object store (local folder or S3) and the catalog (SQLite or PostgreSQL)."""
