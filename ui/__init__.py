"""Presentation helpers shared by the pages: settings and sidebar, cached computation, styling.

Imports flow one way: app.py → app_pages → ui → core.
"""
