"""Working on a clinic's server from the desktop app: connecting, others' changes, a lost connection."""
