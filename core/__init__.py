"""The model behind Backprop Explainer: data, network, training and checks, in plain numpy.

Nothing here imports Streamlit or a plotting library; pages and tests call these modules.
"""

from core import activations, data, evaluate, gradcheck, graph, network, training

__all__ = ["activations", "data", "evaluate", "gradcheck", "graph", "network", "training"]
