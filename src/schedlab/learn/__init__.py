"""Learned schedulers: Gymnasium environments over schedlab's decision processes, training, shipped policies."""
