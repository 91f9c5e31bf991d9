from app.store import run_sql


def find_notes(title):
    return run_sql(f"SELECT id FROM notes WHERE title = '{title}'")
