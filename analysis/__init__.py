"""Statistics, Vietnamese text handling, complaint theming and disclosure control.

Pure Python on arrays, iterables and files: nothing here imports Flask or the web service,
so researchers can use it on exported data with `python -m analysis …`.
"""
