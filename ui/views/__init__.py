"""Pure views: data in, LaTeX strings, tables, Vega-Lite dicts, sentences and files out.

Nothing here imports Streamlit (``tests/views/test_layers.py`` fails if it does), so every view is
tested as a plain function.
"""
