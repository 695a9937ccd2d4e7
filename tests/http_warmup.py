"""Odoo's HTTP server reads every module's manifest (``ast.literal_eval``) on
the first static file it serves (``odoo.http.Application.statics``), in as
many threads as the browser of a tour opens connections at once. CPython's AST
constructor shares its recursion counter between threads and then fails
("SystemError: AST constructor recursion depth mismatch", python/cpython issue
106905, seen with Python 3.11.7): the tour's assets do not load and the tour
times out. Read them once here, in the thread that loads the tests, before
any tour runs."""

from odoo.http import root

STATICS = root.statics
