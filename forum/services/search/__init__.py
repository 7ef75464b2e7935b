"""Full-text search: one service, an FTS5 backend (SQLite) and a tsvector backend (PostgreSQL)."""
