"""The client's plan on screen: map, steps, safety notes, hold timers (DESIGN.md, "UI": Plan mode)."""
