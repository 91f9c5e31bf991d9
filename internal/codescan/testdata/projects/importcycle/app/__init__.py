"""An app whose modules import each other, as Flask apps often do: the
routes need a helper whose SQL sink sits in a module that closes an import
cycle (db → store → db), so the route's finding needs store's summary in
db's, and db's in the view's."""
from flask import Flask

app = Flask(__name__)

from app import views  # noqa: E402,F401  the routes register themselves
