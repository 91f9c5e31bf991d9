"""Run VAmPI from a copy of its checkout on 127.0.0.1:PORT.

usage: serve.py PORT CHECKOUT_COPY

app.py would bind 0.0.0.0:5000; this builds the same app (config.py, which imports
app.py for its settings) and runs it on loopback with the authors' debug=True, without
the reloader so that the process id stays the server's.
"""
import os
import sys

port = int(sys.argv[1])
src = os.path.abspath(sys.argv[2])
sys.path[:0] = [os.path.join(os.path.dirname(os.path.abspath(__file__)), "shim"), src]
os.chdir(src)

import config  # noqa: E402  (builds the connexion app and imports the views)

config.vuln_app.run(host="127.0.0.1", port=port, debug=True, use_reloader=False)
