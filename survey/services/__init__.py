"""Plain functions that do the work: no request, no `g`, one commit per unit of work.

The web views, the API and the command line all call these, so they behave the same everywhere.
"""
