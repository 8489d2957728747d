"""Pydantic models shared by every part of sohoa: the document record, settings and queue messages."""
