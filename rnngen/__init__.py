"""rnngen: generate standalone GRU/LSTM/RNN projects for PyTorch and Keras 3."""

__version__ = "0.1.0"
