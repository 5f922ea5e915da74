"""SQLite search that ranks every match in one pass over the full-text index.

Wagtail's SQLite backend orders results by a score it computes in a correlated
subquery: the full-text match runs again for every matching page. A word found in a
thousand updates ("court") took 200-350 ms on the demo grown to 1,000 updates in three
languages. Here the index is read once for every match's score, the pages the reader
may see are picked in one more query, and the page of results is loaded by id: the same
results, in the same order (best score first, then newest id), in a few milliseconds.

Chosen by vigil/search/database.py when the database is SQLite with FTS5 (this module
can only be imported then).
"""

from modelsearch.backends.database.sqlite.query import MatchExpression, normalize
from modelsearch.backends.database.sqlite.sqlite import (
    SQLiteFTSIndexEntry,
    SQLiteSearchBackend,
    SQLiteSearchQueryCompiler,
    SQLiteSearchResults,
)
from modelsearch.query import MatchAll, Not
from modelsearch.utils import get_descendants_content_types_pks


class RankedOnceQueryCompiler(SQLiteSearchQueryCompiler):
    _ranking: tuple[list, dict] | None = None

    def ranking(self, config) -> tuple[list, dict] | None:
        """The ids of every object the queryset allows that matches, best first, and
        their scores; None where Wagtail's own search applies (no ordering by relevance,
        everything, or a negated query). Worked out once for the count and the page."""
        normalized = normalize(self.query)
        if not self.order_by_relevance or isinstance(normalized, MatchAll | Not):
            return None
        if self._ranking is None:
            match = MatchExpression(
                self.fields or self.FTS_TABLE_FIELDS,
                self.build_search_query(normalized, config=config),
            )
            entries = SQLiteFTSIndexEntry.objects.filter(match).filter(
                index_entry__content_type__in=get_descendants_content_types_pks(self.queryset.model)
            )
            rank = self._build_rank_expression(self.get_search_vectors(), config)
            to_pk = self.queryset.model._meta.pk.to_python
            scores = {}
            for object_id, score in entries.annotate(score=rank).values_list(
                "index_entry__object_id", "score"
            ):
                scores.setdefault(to_pk(object_id), score)
            allowed = self.queryset.filter(
                pk__in=entries.values("index_entry__object_id")
            ).values_list("pk", flat=True)
            # Wagtail's order: the lowest (best) bm25 score first, then the highest id.
            ranked = sorted(sorted(allowed, reverse=True), key=lambda pk: scores[pk])
            self._ranking = (ranked, scores)
        return self._ranking

    def search(self, config, start, stop, score_field=None):
        ranking = self.ranking(config)
        if ranking is None:
            return super().search(config, start, stop, score_field=score_field)
        ranked, scores = ranking
        ids = ranked[start:stop]
        found = self.queryset.order_by().in_bulk(ids)
        results = [found[pk] for pk in ids if pk in found]
        if score_field is not None:
            for result in results:
                setattr(result, score_field, scores[result.pk])
        return results


class RankedOnceSearchResults(SQLiteSearchResults):
    def _do_count(self):
        if not isinstance(self.query_compiler, RankedOnceQueryCompiler):
            # Autocomplete (the admin's searches and choosers) is Wagtail's own throughout.
            return super()._do_count()
        ranking = self.query_compiler.ranking(self.query_compiler.get_config(self.backend))
        if ranking is None:
            return super()._do_count()
        return len(ranking[0][self.start : self.stop])


class RankedOnceSearchBackend(SQLiteSearchBackend):
    query_compiler_class = RankedOnceQueryCompiler
    results_class = RankedOnceSearchResults
