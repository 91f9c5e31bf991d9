from flask_restx import Namespace, Resource, fields

from hr.auth import employee_id, token_required
from hr.db import execute, query

ns = Namespace("employees", description="Employees", decorators=[token_required])

profile = ns.model("Profile", {"phone": fields.String, "bio": fields.String})


@ns.route("/<int:emp_id>")
class Employee(Resource):
    def get(self, emp_id):
        return query("SELECT id, name, salary FROM employees WHERE id = %s", (emp_id,))  # want: PY-BOLA-001

    @ns.expect(profile)
    def patch(self, emp_id):
        data = ns.payload
        execute(f"UPDATE employees SET phone = '{data['phone']}' WHERE id = %s AND id = %s", (emp_id, employee_id()))  # want: PY-SQLI-001
        return "", 204


@ns.route("/me")
class Me(Resource):
    def get(self):
        return query("SELECT id, name FROM employees WHERE id = %s", (employee_id(),))
