"""The pure core: the meeting cycle's decisions and the values they work on; no I/O, no clock."""
