"""Sentiment of reviews and sentences: ``load_sentiment_model(spec).predict(texts)``.

Backends live beside this module and import torch/transformers/onnxruntime only when constructed.
"""

from nlp.sentiment.base import LABELS, Prediction, SentimentModel
from nlp.sentiment.registry import BUILTIN_NAME, load_sentiment_model

__all__ = ["BUILTIN_NAME", "LABELS", "Prediction", "SentimentModel", "load_sentiment_model"]
