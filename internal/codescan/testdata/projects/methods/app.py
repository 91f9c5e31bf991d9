"""Views that reach the database through methods of classes."""
import models
from flask import Flask, abort, jsonify, request
from flask.views import MethodView
from flask_login import current_user, login_required

from db import Database, get_db
from models import Note, User
from repo import NoteRepo
from store import Account

app = Flask(__name__)


@app.get("/users/<username>")
def user_profile(username):
    return jsonify(User.by_name(username))  # want: PY-SQLI-001


@app.get("/v2/users/<username>")
def user_profile_v2(username):
    return jsonify(models.User.by_name(username))  # want: PY-SQLI-001


@app.get("/safe/users/<username>")
def user_profile_safe(username):
    return jsonify(User.by_name_safe(username))


@app.get("/notes/titled")
def notes_titled():
    return jsonify(Note.titled(request.args["title"]))  # want: PY-SQLI-001


@app.get("/v2/notes/titled")
def notes_titled_v2():
    return jsonify(Note.titled_twice(request.args["title"]))  # want: PY-SQLI-001


@app.get("/accounts")
def account_by_email():
    return jsonify(Account.by_email(request.args["email"]))  # want: PY-SQLI-001


@app.get("/safe/notes/titled")
def notes_titled_safe():
    return jsonify(Note.titled_safe(request.args["title"]))


@app.get("/notes/search")
def notes_search():
    repo = NoteRepo(get_db())
    return jsonify(repo.search(request.args["q"]))  # want: PY-SQLI-001


@app.get("/safe/notes/search")
def notes_search_safe():
    repo = NoteRepo(get_db())
    return jsonify(repo.search_safe(request.args["q"]))


@app.get("/notes/<int:note_id>")
@login_required
def note_read(note_id):
    return jsonify(NoteRepo(get_db()).one(note_id))  # want: PY-BOLA-001


@app.get("/mine/<int:note_id>")
@login_required
def note_mine(note_id):
    return jsonify(NoteRepo(get_db()).mine(note_id))


class PageAPI(MethodView):
    decorators = [login_required]

    def find(self, page_id):
        cur = get_db().cursor()
        cur.execute("SELECT id, body FROM pages WHERE id = %s", (page_id,))
        return cur.fetchone()

    def find_own(self, page_id):
        cur = get_db().cursor()
        cur.execute("SELECT id, body FROM pages WHERE id = %s AND owner_id = %s", (page_id, current_user.id))
        return cur.fetchone()

    def get(self, page_id):
        return jsonify(self.find(page_id))  # want: PY-BOLA-001


class OwnPageAPI(PageAPI):
    def get(self, page_id):
        return jsonify(self.find_own(page_id))


app.add_url_rule("/pages/<int:page_id>", view_func=PageAPI.as_view("page"))
app.add_url_rule("/own/pages/<int:page_id>", view_func=OwnPageAPI.as_view("own_page"))


@app.get("/guess/notes/search")
def notes_search_unknown():
    repo = make_repo()  # what it returns is unknown: no method is guessed by its name
    return jsonify(repo.search(request.args["q"]))


class DocAPI(MethodView):
    decorators = [login_required]

    def deny(self):
        abort(404)

    def get(self, doc_id):
        cur = get_db().cursor()
        cur.execute("SELECT id, owner_id, body FROM docs WHERE id = %s", (doc_id,))
        row = cur.fetchone()
        if row is None or row[1] != current_user.id:
            self.deny()  # always raises: the comparison is an ownership check
        return jsonify(row)


app.add_url_rule("/docs/<int:doc_id>", view_func=DocAPI.as_view("doc"))


@app.post("/notes/<int:note_id>/views")  # want: PY-AUTH-001
def count_view(note_id):
    db = Database()
    db.run("UPDATE notes SET views = views + 1 WHERE id = %s", (note_id,))  # want: PY-TXN-001
    return "", 204


@app.post("/notes/<int:note_id>/likes")  # want: PY-AUTH-001
def count_like(note_id):
    Database.run_once("UPDATE notes SET likes = likes + 1 WHERE id = %s", (note_id,))  # want: PY-TXN-001
    return "", 204


class CheckedPageAPI(MethodView):
    """Looks pages up without a filter, and checks the owner in methods."""

    decorators = [login_required]

    def find(self, page_id):
        cur = get_db().cursor()
        cur.execute("SELECT id, owner_id, body FROM pages WHERE id = %s", (page_id,))
        return cur.fetchone()

    def may_read(self, page):
        return page is not None and page[1] == current_user.id

    def own_or_404(self, user, page):
        if page is None or page[1] != user.id:
            abort(404)

    def get(self, page_id):
        page = self.find(page_id)
        if not self.may_read(page):
            abort(404)
        return jsonify(page)

    def put(self, page_id):
        page = self.find(page_id)
        self.own_or_404(current_user, page)
        return jsonify(page)


app.add_url_rule("/checked/pages/<int:page_id>", view_func=CheckedPageAPI.as_view("checked_page"))
