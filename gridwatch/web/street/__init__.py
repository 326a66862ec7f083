"""Street-office pages on the ``street`` blueprint (/s, :mod:`gridwatch.web.pages`).

- :mod:`.overview`: the street's grids map with coverage and the warden per grid,
  the overdue enterprises by grid and warden, and an enterprise's file (read).
"""
