"""The features the opinion head reads, computed the same way by every backend from the classifier's last layer."""

from __future__ import annotations

from typing import Any


def pooled_features(hidden: Any, attention_mask: Any) -> Any:
    """``[<s> state | masked mean of the token states]`` (torch tensors): ``(batch, 2 * hidden size)``."""
    import torch

    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    mean = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1.0)
    return torch.cat([hidden[:, 0], mean], dim=-1)
