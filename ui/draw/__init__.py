"""The only Streamlit helpers: draw a step, a matrix, a chart, a notice; projector layout."""
