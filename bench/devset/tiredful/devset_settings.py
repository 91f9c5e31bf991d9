"""Tiredful-API's own settings with the DRF throttle rates raised so that a scan completes.

The Throttling challenge (anon 10/day, user 20/hour) is listed out of scope in
groundtruth.json; bench/devset/run uses the authors' rates when TIREDFUL_THROTTLE=authors.
"""
from Tiredful_API.settings import *  # noqa: F401,F403
from Tiredful_API.settings import REST_FRAMEWORK

REST_FRAMEWORK = dict(REST_FRAMEWORK)
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"anon": "100000/day", "user": "100000/hour"}
