"""`python -m offline.fleet <fleet>`: plan every member of a fleet and check the rules across them."""
