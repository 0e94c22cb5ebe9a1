"""Staff analytics: one module per metric family, all computed in SQL (SQLAlchemy Core)."""
