"""The model seam: protocols the core depends on, and loaders for real models."""

from .base import Embedder, Generator
from .loaders import ModelBundle, load_embedder, load_generator, load_nlp

__all__ = ["Embedder", "Generator", "ModelBundle", "load_embedder", "load_generator", "load_nlp"]
