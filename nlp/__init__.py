"""Language, sentences, sentiment, topics and duplicates: each a small module behind a small interface.

Heavy dependencies (torch, transformers, onnxruntime) are imported inside the implementations, never here.
"""
