"""Persistence on this machine (stdlib sqlite3, client files, backups): no Qt here."""
