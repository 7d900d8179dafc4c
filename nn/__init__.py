"""Layers, losses and data tools on dagrad's Tensor (and nn.scalar on Value)."""
