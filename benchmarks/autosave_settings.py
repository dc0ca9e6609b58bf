"""Settings of the autosave benchmark's server (benchmarks/autosave.py): the project's settings
unchanged, with a URLconf that adds one bare JSON view. Never used outside the benchmark."""
from config.settings import *  # noqa: F401,F403

ROOT_URLCONF = "benchmarks.autosave_urls"
