"""Stand-in for trafaret_config (not in Debian): see commandline."""
