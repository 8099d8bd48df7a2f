"""One router per page (``app.create_app`` includes them all)."""
