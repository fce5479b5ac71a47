"""The client's plan on paper: PDF and printing through Qt only."""
