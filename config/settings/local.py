"""Development: `make run`. DEBUG on, e-mail printed to the console."""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = env_bool("DEBUG", True)
INTERNAL_IPS = ["127.0.0.1"]

# WhiteNoise looks for STATIC_ROOT at start-up even when runserver serves static files itself.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
