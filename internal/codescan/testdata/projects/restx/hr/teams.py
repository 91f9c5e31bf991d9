from flask_restx import Resource

from hr import api
from hr.db import query

teams = api.namespace("teams", path="/org/teams")


@teams.route("/search")
class TeamSearch(Resource):
    def post(self):
        return query("SELECT id FROM teams WHERE name = '" + api.payload["name"] + "'")  # want: PY-SQLI-001
