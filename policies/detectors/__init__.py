"""The detectors a policy can name. Importing a module registers its detectors."""

from policies.detectors import ads, flood, lexicon, links, near, regex  # noqa: F401  (registration)
from policies.detectors.base import REGISTRY, BuildEnv, Context, Detector, Finding, Message

__all__ = ["REGISTRY", "BuildEnv", "Context", "Detector", "Finding", "Message"]
