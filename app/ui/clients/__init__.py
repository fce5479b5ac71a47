"""The client side of the consult: the client list, the client and intake dialogs, the safety banner, the
privacy notice."""
