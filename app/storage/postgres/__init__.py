"""A clinic's records on a PostgreSQL server (issue 19; docs/clinic.md): schema, roles, audit, connections."""
