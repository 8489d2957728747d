"""Alembic revisions of the catalog, one file each (a package only so that they are installed with sohoa)."""
