"""Production configuration (systemd units, nginx, logrotate, endpoints) and the tools that exercise it here."""
