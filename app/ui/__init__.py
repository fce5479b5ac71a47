"""The PySide6 desktop interface: thin views over the domain and storage layers."""
