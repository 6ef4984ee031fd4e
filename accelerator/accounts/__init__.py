"""Users, roles, organisations, registration, login and tokens."""
