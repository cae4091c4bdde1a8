"""Item pipelines: validation, raw log, relational upsert. Never imports spiders.

Enable them in the Scrapy settings, in this order (each reads its own settings; see its module)::

    ITEM_PIPELINES = {
        "pipelines.validacao.ValidacaoPipeline": 100,      # bad items -> errors with reasons, dropped
        "pipelines.rawlog.RawLogPipeline": 200,            # PaginaBruta -> raw log (SQL or MongoDB)
        "pipelines.persistencia.PersistenciaPipeline": 300,  # upsert in batches, counts per credential
    }

What a spider does for them: yield each fetched page's :class:`~sinesys_spiders.core.items.PaginaBruta`
and its items (``plugins.pje_trt.parsers.parse_pagina`` gives both), keep its ``capturas_log`` id in
``self.captura_id`` (set by the capture extension, ``sinesys_spiders.extensions.capturas``), and report a
credential that fails with the ``credencial_falhou`` signal (``sinesys_spiders.sinais``); the pipelines count per
credential, and the extension, the one writer of the history row, records the counts and finishes it.
"""
