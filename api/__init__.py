"""The Starlette REST facade used by the Sinesys frontend."""
