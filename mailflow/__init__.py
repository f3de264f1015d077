"""mailflow: runs a Community of Practice's monthly meeting cycle by email."""

__version__ = "0.1.0"
