"""The encrypted records in the desktop app: setting up and typing the passphrase, and the screen lock."""
