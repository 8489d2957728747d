"""Where things are kept: the object store (local folder or MinIO) and the catalog (SQLite or PostgreSQL)."""
