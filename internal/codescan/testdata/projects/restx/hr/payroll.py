from flask_restx import Namespace, Resource

from hr.auth import token_required
from hr.db import query

payroll = Namespace("payroll")


@payroll.route("/runs/<int:run_id>")
class PayrollRun(Resource):
    method_decorators = [token_required]

    def get(self, run_id):
        return query("SELECT id, total FROM payroll_runs WHERE id = %s", (run_id,))  # want: PY-BOLA-001
