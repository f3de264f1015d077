"""``mailflow demo``: one whole cycle of the example community on embedded loopback mail servers.

Not part of the daemon: it needs the ``demo`` extra (``pip install 'mailflow[demo]'``).
"""
