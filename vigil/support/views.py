"""The support register's public listing (the page's routes call it: models.py)."""

from django.http import Http404
from django.utils.translation import get_language, gettext

from vigil.core.services import page_localised
from vigil.core.snapshot import snapshot_memo

from . import services


def register_listing(request, *, page, filters: dict[str, str]):
    """The register of `page`, filtered by `filters` (type, demand, year)."""
    statements = services.statements_for_case(case=page.case)
    # The case field follows the original page; readers see the case (its name and
    # title before it) in their own language.
    case = page_localised(page=page.case)
    year = int(filters["year"]) if "year" in filters else None
    years = services.statement_years(statements=statements)
    if year is not None and year not in years:
        raise Http404(gettext("There are no statements from that year."))
    shown = services.statements_filter(
        statements,
        supporter_type=filters.get("type"),
        demand=filters.get("demand"),
        year=year,
    )
    base = page.get_url(request)
    return page.render(
        request,
        context_overrides={
            "case": case,
            "statements": shown,
            "all_count": len(statements),
            "filters": filters,
            "filtered": bool(filters),
            "counts": services.statement_counts(statements=statements),
            "filter_links": services.statement_filter_links(
                base=base, filters=filters, statements=statements
            ),
            # The same on every filtered view: drawn once per language in an export.
            "chart": snapshot_memo(
                ("support-chart", page.case_id, get_language()),
                lambda: services.statements_chart_svg(statements=statements, case=case),
            ),
            "canonical_url": request.build_absolute_uri(
                base + services.statement_filter_path(filters=filters)
            ),
            "selected_labels": services.statement_filter_labels(filters=filters),
        },
    )
