"""Views, one module per area; each module lists its own `urlpatterns` (see trips/urls.py)."""
