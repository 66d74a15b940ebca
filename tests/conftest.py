# The hand-computed perimeter is shared by the indicator, dashboard and browser tests.
pytest_plugins = ["tests.perimeter"]
