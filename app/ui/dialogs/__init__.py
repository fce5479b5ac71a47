"""Small dialogs of the main window: practice details, the audit log."""
