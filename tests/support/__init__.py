"""What the tests stand on: a Streamlit websocket client, AppTest as a server runs it, students' files.

The benchmarks in ``bench/`` use these too; nothing here imports ``bench``.
"""
