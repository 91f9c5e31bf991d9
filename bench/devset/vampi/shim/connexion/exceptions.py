"""connexion.exceptions, as far as VAmPI imports it."""
from connexion import ProblemException  # noqa: F401
