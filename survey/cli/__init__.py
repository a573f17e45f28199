"""Flask commands (`flask --app wsgi …`), one module per job, each with COMMANDS; registered by `create_app`.

Every command exits non-zero with a clear message on bad input.
"""
