"""Columns of the admin's report tables (Wagtail's `ReportView`)."""

from wagtail.admin.ui.tables import Column


class TemplateColumn(Column):
    """A column whose cell is rendered by its own template."""

    def __init__(self, name, *, template_name, **kwargs):
        super().__init__(name, **kwargs)
        self.cell_template_name = template_name
