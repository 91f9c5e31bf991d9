"""Bandit 1.6.2's B608 as Bandit 1.7 runs it on Python 3.8+.

Debian ships Bandit 1.6.2, which predates Python 3.8's AST: string literals
arrive as ast.Constant, for which 1.6.2 has no visitor, so no test declared
on 'Str' runs at all and B608 reports nothing. This adapter adds the two
upstream changes and nothing else, then runs Bandit's own CLI:

- BanditNodeVisitor.visit_Constant (Bandit 1.6.3+): a str constant is
  visited as Str, bytes as Bytes;
- injection_sql._evaluate_ast's f-string branch (Bandit 1.7.1+): the
  literal parts of an f-string are joined and tested once, on the first
  part, so that SQL split across placeholders is seen as one statement.

_evaluate_ast below follows upstream Bandit's function of that name
(Apache License 2.0, PyCQA/bandit) with the f-string branch added; it is
benchmark tooling, not part of Rampart.

Usage: python3 b608fixed.py [bandit arguments], e.g. -t B608 -f json -r DIR
"""
import ast
import sys

from bandit.cli import main as bandit_main
from bandit.core import node_visitor, utils
from bandit.plugins import injection_sql


def visit_Constant(self, node):
    if isinstance(node.value, str):
        self.visit_Str(node)
    elif isinstance(node.value, bytes):
        self.visit_Bytes(node)


def _evaluate_ast(node):
    wrapper = None
    statement = ""

    if isinstance(node._bandit_parent, ast.BinOp):
        out = utils.concat_string(node, node._bandit_parent)
        wrapper = out[0]._bandit_parent
        statement = out[1]
    elif (isinstance(node._bandit_parent, ast.Attribute)
          and node._bandit_parent.attr == "format"):
        statement = node.s
        # Wrapper -> Call -> Attribute -> Str
        wrapper = node._bandit_parent._bandit_parent._bandit_parent
    elif isinstance(node._bandit_parent, ast.JoinedStr):
        substrings = [c for c in node._bandit_parent.values
                      if isinstance(c, ast.Constant) and isinstance(c.value, str)]
        # One test per f-string, on its first literal part.
        if substrings and node is substrings[0]:
            statement = "".join(c.value for c in substrings)
            wrapper = node._bandit_parent._bandit_parent

    if isinstance(wrapper, ast.Call):  # wrapped in "execute" call?
        names = ["execute", "executemany"]
        name = utils.get_called_name(wrapper)
        return (name in names, statement)
    return (False, statement)


node_visitor.BanditNodeVisitor.visit_Constant = visit_Constant
injection_sql._evaluate_ast = _evaluate_ast

if __name__ == "__main__":
    sys.exit(bandit_main.main())
