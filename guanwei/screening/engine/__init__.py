"""The screening engine (issue 3): pure Python, no Django.

Every post, drop-box item and incoming comment passes it: lexicons by category (C-06, E-01) with
evasion handling, allow-lists, format rules (X-03, R-01, E-01, T-05), relevance (W-17), and a
verdict — block, review or pass — that carries the lexicon version that produced it.
See docs/screening.md.
"""

from .config import (
    AllowRule,
    CategoryPolicy,
    ConfigError,
    EngineConfig,
    LexiconSource,
    RelevanceSpec,
    RuleSpec,
    config_for_pack,
    default_config,
)
from .engine import Engine, Hit, Result, build_engine
from .lexicon import (
    CATEGORIES,
    Lexicon,
    LexiconError,
    Term,
    load_csv,
    load_file,
    load_wordlist,
)
from .rules import RuleFinding

__all__ = [
    "CATEGORIES",
    "AllowRule",
    "CategoryPolicy",
    "ConfigError",
    "Engine",
    "EngineConfig",
    "Hit",
    "Lexicon",
    "LexiconError",
    "LexiconSource",
    "RelevanceSpec",
    "Result",
    "RuleFinding",
    "RuleSpec",
    "Term",
    "build_engine",
    "config_for_pack",
    "default_config",
    "load_csv",
    "load_file",
    "load_wordlist",
]
