"""Settings: one table of parameters, the immutable ``Settings`` value, links, the sidebar."""
