"""Print, as JSON, every table's row count and the rendered text of some pages.

Run by test_backups.py in its own process against a restored database:

    python -m vigil.backups.tests.inspect_site DATABASE_URL MEDIA_ROOT PATH...
"""

import json
import os
import sys


def main() -> None:
    url, media_root, *paths = sys.argv[1:]
    os.environ["DATABASE_URL"] = url
    os.environ["MEDIA_ROOT"] = media_root
    os.environ["DJANGO_SETTINGS_MODULE"] = "vigil.settings.test"
    import django

    django.setup()
    from django.test import Client

    from vigil.backups.tests.test_backups import page_text, table_counts

    client = Client()
    print(
        json.dumps(
            {
                "tables": table_counts(),
                "pages": {path: page_text(client.get(path)) for path in paths},
            }
        )
    )


if __name__ == "__main__":
    main()
