"""Pydantic models of the API: the same classes validate requests, shape responses and make the OpenAPI."""
