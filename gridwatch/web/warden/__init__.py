"""The warden's phone pages on the ``warden`` blueprint (/w, :mod:`gridwatch.web.pages`).

- :mod:`.grids`: 我的网格, the map of the warden's grids and enterprises;
- :mod:`.todo`: 待办, enterprises by urgency;
- :mod:`.enterprise`: 一企一档 and moving an enterprise's pin;
- :mod:`.record`: recording an inspection with a check-in, the recorded
  inspection, reporting a hazard from it.

Each module adds its routes to the blueprint when imported
(``app._register_blueprints`` imports them before registering it).
"""
