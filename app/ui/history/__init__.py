"""Review: the client's past sessions, side by side, trends and a heat map."""
