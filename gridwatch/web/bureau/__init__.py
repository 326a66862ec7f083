"""Bureau pages on the ``bureau`` blueprint (/b, :mod:`gridwatch.web.pages`).

- :mod:`.coverage`: coverage by town/street (table and map) and the hazard
  hotspot map, read-only.
"""
