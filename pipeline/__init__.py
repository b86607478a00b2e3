"""newsdigest: digests of news articles that say where the sources diverge."""

__version__ = "0.1.0"
