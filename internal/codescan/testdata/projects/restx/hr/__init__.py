"""flask-restx: namespaces made by the Api and on their own, added with a path."""
from flask import Flask
from flask_restx import Api

from hr.employees import ns as employees_ns
from hr.payroll import payroll

app = Flask(__name__)
api = Api(app, prefix="/api", doc="/docs")
api.add_namespace(employees_ns)
api.add_namespace(payroll, path="/money/payroll")

import hr.teams  # noqa: E402  registers its namespace on api
