"""The presentation code, in four layers; imports run down only (``tests/views/test_layers.py``):

    ui/draw   the only Streamlit drawing helpers: a step, a matrix, a chart, page notices, Play
    ui/serve  what exists because a class shares one server: caches, replay, the worker, tuning
    ui/state  the settings table, the Settings value, the sidebar and the data choice
    ui/views  pure: data in → LaTeX, tables, Vega-Lite dicts, sentences, files out
"""
