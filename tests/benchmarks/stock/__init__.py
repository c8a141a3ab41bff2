"""The stock twin for tests/benchmarks/pages.py: what `startproject` gives on Django 5.2, plus a
base template, a child template and Django's own LoginView on that base. Nothing of the app."""
