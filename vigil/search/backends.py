"""PostgreSQL search with a text-search configuration per language.

Wagtail's database backend indexes and searches every page with one configuration.
Here each page is indexed with its own language's configuration (Russian stemming for
Russian pages, no stemming for Kazakh, which PostgreSQL has no dictionary for) and a
search uses the reader's language's configuration, so "приговору" finds "приговорен".
Selected in settings only when the database is PostgreSQL.
"""

import threading
from collections import defaultdict

from django.utils.translation import get_language
from modelsearch.backends.database.postgres.postgres import (
    PostgresIndex,
    PostgresSearchBackend,
    PostgresSearchQueryCompiler,
)


class LanguageQueryCompiler(PostgresSearchQueryCompiler):
    def get_config(self, backend):
        return backend.config_for(get_language())


class LanguageIndex(PostgresIndex):
    # The indexer reads the backend's configuration when it is built; indexing one
    # language at a time under a lock keeps concurrent indexing from mixing them.
    _lock = threading.Lock()

    def add_items(self, model, objs):
        from wagtail.models import Locale

        codes = dict(Locale.objects.values_list("pk", "language_code"))
        groups = defaultdict(list)
        for obj in objs:
            language = codes.get(getattr(obj, "locale_id", None))
            groups[self.backend.config_for(language)].append(obj)
        for config, group in groups.items():
            with self._lock:
                default = self.backend.config
                self.backend.config = config
                try:
                    super().add_items(model, group)
                finally:
                    self.backend.config = default


class LanguageSearchBackend(PostgresSearchBackend):
    query_compiler_class = LanguageQueryCompiler
    index_class = LanguageIndex

    def __init__(self, params):
        super().__init__(params)
        self.language_configs = params.get("LANGUAGE_CONFIGS", {})

    def config_for(self, language: str | None) -> str | None:
        return self.language_configs.get(language, self.config)


SearchBackend = LanguageSearchBackend
