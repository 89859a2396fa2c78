"""Adding a member's question to an entry's phrasings in the admins' YAML, with ruamel's round trip so that
their comments, order and quoting stay as they wrote them."""

from __future__ import annotations

import io

from ruamel.yaml import YAML


def add_phrasing(text: str, entry_id: str, question: str) -> str:
    """`text` (a knowledge base file) with `question` appended to the entry's questions; unchanged when the
    entry already has it. Raises KeyError for an unknown entry."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap the admins' long answers
    data = yaml.load(text)
    entry = next((e for e in data["entries"] if e.get("id") == entry_id), None)
    if entry is None:
        raise KeyError(entry_id)
    questions = entry["questions"]
    if any(" ".join(q.casefold().split()) == " ".join(question.casefold().split()) for q in questions):
        return text
    questions.append(" ".join(question.split()))
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()
