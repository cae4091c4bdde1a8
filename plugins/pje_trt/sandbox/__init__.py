"""A simulated PJE-TRT (``sinesys sandbox``): the login, the REST API and its quirks, faults on demand.

Server side: ``app.create_app`` (one ASGI app routed on the address it is reached at, see
``hosts``), ``sso`` (login.seam, the Keycloak-style SSO with its OTP step, authenticateSSO.seam),
``api`` (the REST endpoints of pje-api.md §3), ``admin`` (``/_sandbox/``), ``faults`` (profiles),
``server`` (one uvicorn server on several sockets) and ``cli`` (the ``sandbox`` command).
Data side: ``world`` (the deterministic synthetic data and its ground truth).
"""
