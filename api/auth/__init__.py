"""Authentication of the API, tried in the existing order: service key, Bearer JWT, session cookie.

- :mod:`.escopos`: the scopes ``leitura < captura < admin`` and the :class:`Principal` a request runs as.
- :mod:`.chaves`: service keys (``sinesys api-keys``): random, prefixed, stored as a digest.
- :mod:`.jwt`: Bearer tokens of the firm's identity provider (algorithms pinned, claims required).
- :mod:`.usuarios`: local users (argon2) and their server-side cookie sessions with a CSRF token.
- :mod:`.falhas`: failed logins and bad keys slowed down per client address.
- :mod:`.middleware`: the ASGI middleware that authenticates every route but the public ones.
"""
