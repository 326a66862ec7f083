"""The warden's phone pages on the ``warden`` blueprint (/w, :mod:`gridwatch.web.pages`).

- :mod:`.grids`: 我的网格, the map of the warden's grids and enterprises;
- :mod:`.todo`: 待办, enterprises by urgency;
- :mod:`.enterprise`: 一企一档 and moving an enterprise's pin;
- :mod:`.record`: recording an inspection with a check-in, the recorded
  inspection, reporting a hazard from it;
- :mod:`.hazards`: 我的隐患, a hazard's page and its steps (issue 10);
- :mod:`.tipoffs`: the tip-off queue and triage (issue 10).

Each module adds its routes to the blueprint when imported
(``app._register_blueprints`` imports them before registering it).
"""
