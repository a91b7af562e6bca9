"""The engine an organisation screens with: its pack's configuration plus its own
lexicon rows, built once per lexicon revision and cached in the process."""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace

from guanwei.orgs.models import Organisation
from guanwei.packs.schema import packs_dir
from guanwei.screening.engine.config import AllowRule, config_for_pack
from guanwei.screening.engine.engine import Engine, build_engine
from guanwei.screening.engine.lexicon import Term
from guanwei.screening.models import LexiconAllowPhrase, LexiconRevision, LexiconTerm

ORG_ALLOW_LIST = "本单位放行词组"


@dataclass
class _Cached:
    revision: str
    engine: Engine


_cache: dict[tuple[int, str], _Cached] = {}
_lock = threading.Lock()


def current_revision(organisation: Organisation) -> str:
    row = LexiconRevision.objects.filter(organisation=organisation).values_list("token", flat=True)
    return next(iter(row), "")


def engine_for(organisation: Organisation) -> Engine:
    revision = current_revision(organisation)
    key = (organisation.pk, organisation.base_pack)
    cached = _cache.get(key)
    if cached is not None and cached.revision == revision:
        return cached.engine
    with _lock:
        cached = _cache.get(key)
        if cached is not None and cached.revision == revision:
            return cached.engine
        terms = [
            Term(
                text=t.term, category=t.category, severity=t.severity, note=t.note, pinyin=t.pinyin
            )
            for t in LexiconTerm.objects.filter(organisation=organisation)
        ]
        config = config_for_pack(organisation.base_pack, packs_dir()).with_terms(terms)
        phrases = tuple(
            LexiconAllowPhrase.objects.filter(organisation=organisation).values_list(
                "phrase", flat=True
            )
        )
        if phrases:
            rule = AllowRule(phrases=phrases, req="C-06", name=ORG_ALLOW_LIST)
            config = replace(config, allow=(*config.allow, rule))
        engine = build_engine(config)
        _cache[key] = _Cached(revision, engine)
        return engine
