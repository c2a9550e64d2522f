"""`kyodo-portal <command>`: manage.py for an installed package (pip install ., the Docker image).

It defaults to production settings, like wsgi.py and asgi.py; manage.py in a checkout keeps the
local ones.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
