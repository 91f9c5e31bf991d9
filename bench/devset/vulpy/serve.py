"""Run vulpy's "bad" application from a copy of its checkout on 127.0.0.1:PORT.

usage: serve.py PORT CHECKOUT_COPY

bad/vulpy.py calls app.run(debug=True, host='127.0.1.1', port=5000, ...) when it is
imported. This runs that file unchanged, with Flask.run pointed at 127.0.0.1:PORT and
without the reloader (so that the process id stays the server's); debug=True stays as
the authors set it.
"""
import os
import runpy
import sys

import flask

port = int(sys.argv[1])
bad = os.path.join(os.path.abspath(sys.argv[2]), "bad")
sys.path.insert(0, bad)
os.chdir(bad)

_run = flask.Flask.run


def _loopback_run(self, host=None, port_=None, debug=None, **options):
    options.pop("port", None)
    options.pop("extra_files", None)
    options["use_reloader"] = False
    return _run(self, host="127.0.0.1", port=port, debug=debug, **options)


flask.Flask.run = _loopback_run
runpy.run_path(os.path.join(bad, "vulpy.py"), run_name="__main__")
