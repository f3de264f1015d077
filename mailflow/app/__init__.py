"""The application: the engine that carries out the core's decisions, the daemon and its wiring."""
