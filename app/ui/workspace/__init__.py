"""The workspace: its decisions (controller.py) behind a small view interface (view.py), and the widget that
shows them (widget.py)."""
