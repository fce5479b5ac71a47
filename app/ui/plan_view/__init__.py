"""The client's plan on screen and on paper: map, steps, safety notes, hold timers, the PDF, printing and the
letter for the doctor (docs/design.md, "UI": Plan mode)."""
