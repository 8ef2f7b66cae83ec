"""`ragtool serve`: a local web app and JSON API over one api.Session."""
