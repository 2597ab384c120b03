"""Monitoring briefs: a format-independent content model and its renderers (Word, Excel, PDF, charts).

`content` defines what a brief says (sections, sentences, tables, charts as data); `compose` builds
it from the progress service's output; `word`, `excel` and `pdf` render the same content, so the
three formats cannot disagree. Nothing here reads the database: app.services.briefs gathers the data.
"""
