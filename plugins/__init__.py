"""First-party tribunal plugins. They register through entry points, like third-party plugins."""
