"""From the admins' files to a runnable policy: read the YAML, validate it against the schema, check what
the schema cannot (lexicons, templates, bundles, ladder, chat overrides), and build the detectors.
Every problem is collected with its file, line and column, so one `modbot policy lint` shows them all."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from policies.detectors import BuildEnv, Detector
from policies.detectors.base import REGISTRY
from policies.detectors.combine import AllOf, AnyOf
from policies.lexicon import Entry, LexiconIndex, parse_lexicon
from policies.normalize import Normalizer
from policies.salvage import salvage
from policies.schema import ActionItem, ChatOverride, Detect, Ladder, PolicySpec, Rule, vocabulary
from policies.templates import BOT_TEMPLATES, Templates, TemplatesSpec
from policies.yamlsource import (
    Loc,
    PolicyError,
    Problem,
    YamlDocument,
    did_you_mean,
    load_yaml,
    validation_problems,
)

DEFAULT_POLICY = Path(__file__).parent / "defaults" / "policy.yaml"
_CAUTION = {"off": 0, "shadow": 1, "enforce": 2}
T = TypeVar("T")


@dataclass(frozen=True)
class CompiledRule:
    spec: Rule
    detector: Detector
    mode: str
    actions: tuple[ActionItem, ...]  # bundles expanded
    line: int

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def category(self) -> str:
        return self.spec.resolved_category


@dataclass
class CompiledPolicy:
    spec: PolicySpec
    path: Path
    hash: str
    normalizer: Normalizer
    index: LexiconIndex
    templates: Templates
    rules: list[CompiledRule]
    chat_rules: dict[str, list[CompiledRule]] = field(default_factory=dict)

    def rules_for(self, chat: str) -> list[CompiledRule]:
        return self.chat_rules.get(chat, self.rules)

    def ladder_for(self, chat: str) -> Ladder:
        override = self.spec.chats.get(chat)
        return override.ladder if override and override.ladder else self.spec.ladder

    @property
    def display(self) -> str:
        return self.path.name


def load_policy(path: Path | None = None) -> CompiledPolicy:
    """The policy at `path` (the bundled default when None); raises PolicyError listing every problem."""
    path = Path(path or DEFAULT_POLICY)
    return _Compiler(path).compile()


class _Compiler:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[Problem] = []
        self.digest = hashlib.sha256()

    def compile(self) -> CompiledPolicy:
        doc = load_yaml(self.path, _display(self.path))
        self.digest.update(self.path.read_bytes())
        try:
            spec = PolicySpec.model_validate(doc.data)
        except ValidationError as exc:
            self.problems.extend(validation_problems(doc, exc, vocabulary()))
            # The references of what did validate are still checked: one lint run lists every mistake.
            spec = salvage(PolicySpec, doc.data)
            if spec is None:
                raise self._failure(doc) from exc
        profile = spec.normalize.get(spec.defaults.normalize)
        if profile is None:
            self._problem(
                doc,
                ("defaults", "normalize"),
                f"unknown profile {spec.defaults.normalize!r}"
                f"{did_you_mean(spec.defaults.normalize, set(spec.normalize))}",
            )
            raise self._failure(doc)
        normalizer = Normalizer(tuple(profile.steps))
        lexicons = self._lexicons(doc, spec, normalizer)
        templates = self._templates(doc, spec)
        env = BuildEnv(set(lexicons))
        rules = [
            self._rule(doc, spec, index, rule, env, templates, {}) for index, rule in _present(spec.rules)
        ]
        chat_rules = {
            chat: self._chat_rules(doc, spec, chat, o, env, templates) for chat, o in spec.chats.items()
        }
        self._ladder(doc, ("ladder",), spec.ladder)
        for chat, override in spec.chats.items():
            if override.ladder:
                self._ladder(doc, ("chats", chat, "ladder"), override.ladder)
        if self.problems:
            raise self._failure(doc)
        for name, (words, mode) in env.inline.items():
            lexicons[name] = parse_lexicon("\n".join(words), name, mode, normalizer)[0]
        return CompiledPolicy(
            spec=spec,
            path=self.path,
            hash=self.digest.hexdigest()[:16],
            normalizer=normalizer,
            index=LexiconIndex(lexicons),
            templates=templates,
            rules=[r for r in rules if r is not None],
            chat_rules={chat: [r for r in rs if r is not None] for chat, rs in chat_rules.items()},
        )

    def _problem(self, doc: YamlDocument, loc: Loc, message: str) -> None:
        self.problems.append(doc.problem(loc, message))

    def _failure(self, doc: YamlDocument) -> PolicyError:
        """Every problem, by line: the policy file's first, then those of the files it names."""
        return PolicyError(sorted(self.problems, key=lambda p: (p.file != doc.file, p.file, p.line, p.col)))

    def _lexicons(
        self, doc: YamlDocument, spec: PolicySpec, normalizer: Normalizer
    ) -> dict[str, list[Entry]]:
        out: dict[str, list[Entry]] = {}
        for name, lex in spec.lexicons.items():
            file = self.path.parent / lex.file
            if not file.is_file():
                self._problem(doc, ("lexicons", name, "file"), f"{lex.file} not found")
                continue
            text = file.read_text(encoding="utf-8")
            self.digest.update(text.encode())
            entries, problems = parse_lexicon(text, name, lex.mode, normalizer)
            for problem in problems:
                self.problems.append(Problem(_display(file), problem.line, 1, name, problem.message))
            out[name] = entries
        return out

    def _templates(self, doc: YamlDocument, spec: PolicySpec) -> Templates:
        file = self.path.parent / spec.templates
        tdoc = load_yaml(file, _display(file)) if file.is_file() else None
        if tdoc is None:
            self._problem(doc, ("templates",), f"{spec.templates} not found")
            return Templates(TemplatesSpec.model_validate({"schema": "modbot/templates@1", "templates": {}}))
        self.digest.update(file.read_bytes())
        try:
            templates = Templates(TemplatesSpec.model_validate(tdoc.data))
        except ValidationError as exc:
            self.problems.extend(validation_problems(tdoc, exc, {"schema", "default_lang", "templates"}))
            return Templates(TemplatesSpec.model_validate({"schema": "modbot/templates@1", "templates": {}}))
        missing = sorted(BOT_TEMPLATES - set(templates.spec.templates))
        if missing:
            self._problem(tdoc, ("templates",), f"missing templates the bot sends: {', '.join(missing)}")
        return templates

    def _rule(
        self,
        doc: YamlDocument,
        spec: PolicySpec,
        index: int,
        rule: Rule,
        env: BuildEnv,
        templates: Templates,
        renames: dict[str, str],
        chat: ChatOverride | None = None,
        detect: Any = None,
    ) -> CompiledRule | None:
        loc: Loc = ("rules", index)
        env.unknown.clear()
        detector = build_detector(detect or rule.detect, env, rule.id, renames)
        for field_name, name in env.unknown:
            self._problem(
                doc,
                doc.locate((*loc, "detect"), name),
                f"{field_name}: unknown lexicon {name!r}{did_you_mean(name, env.lexicons)}",
            )
        actions = self._actions(doc, spec, (*loc, "then"), rule.then, templates)
        override = chat.rules.get(rule.id) if chat else None
        mode = rule.mode or spec.defaults.mode
        if chat and chat.mode:
            mode = min(mode, chat.mode, key=_CAUTION.__getitem__)
        if override and override.mode:
            mode = override.mode
        line = doc.where(loc)[0]
        return CompiledRule(rule, detector, mode, tuple(actions), line)

    def _actions(
        self, doc: YamlDocument, spec: PolicySpec, loc: Loc, items: list[ActionItem], templates: Templates
    ) -> list[ActionItem]:
        out: list[ActionItem] = []
        for position, item in _present(items):
            if item.bundle is not None:
                if item.bundle not in spec.bundles:
                    self._problem(
                        doc,
                        (*loc, position),
                        f"unknown bundle {item.bundle!r}{did_you_mean(item.bundle, set(spec.bundles))}",
                    )
                    continue
                out.extend(
                    self._actions(doc, spec, ("bundles", item.bundle), spec.bundles[item.bundle], templates)
                )
            elif item.reply is not None and item.reply not in templates:
                self._problem(
                    doc,
                    (*loc, position),
                    f"unknown template {item.reply!r}"
                    f"{did_you_mean(item.reply.removeprefix('tpl.'), set(templates.spec.templates))}",
                )
            else:
                out.append(item)
        return out

    def _chat_rules(
        self,
        doc: YamlDocument,
        spec: PolicySpec,
        chat: str,
        override: ChatOverride,
        env: BuildEnv,
        templates: Templates,
    ) -> list[CompiledRule | None]:
        known = {rule.id for _, rule in _present(spec.rules)}
        for rule_id in override.rules:
            if rule_id not in known:
                self._problem(
                    doc,
                    ("chats", chat, "rules", rule_id),
                    f"unknown rule {rule_id!r}{did_you_mean(rule_id, known)}",
                )
        for name, target in override.lexicons.items():
            for key in (name, target):
                if key not in spec.lexicons:
                    self._problem(
                        doc,
                        ("chats", chat, "lexicons", name),
                        f"unknown lexicon {key!r}{did_you_mean(key, set(spec.lexicons))}",
                    )
        out = []
        for index, rule in _present(spec.rules):
            rule_override = override.rules.get(rule.id)
            detect = None
            if rule_override and rule_override.detect:
                merged = _merge(
                    rule.detect.model_dump(by_alias=True, exclude_none=True), rule_override.detect
                )
                try:
                    detect = Detect.model_validate(merged)
                except ValidationError as exc:
                    for item in exc.errors():
                        self._problem(doc, ("chats", chat, "rules", rule.id, "detect"), item["msg"])
                    continue
            out.append(
                self._rule(doc, spec, index, rule, env, templates, override.lexicons, override, detect)
            )
        return out

    def _ladder(self, doc: YamlDocument, loc: Loc, ladder: Ladder) -> None:
        previous = 0
        for position, step in _present(ladder.steps):
            if step.at <= previous:
                self._problem(
                    doc,
                    (*loc, "steps", position, "at"),
                    f"step at {step.at} is unreachable: steps must rise (previous at {previous})",
                )
            before = ladder.steps[position - 1] if position else None
            if before is not None and before.kind == "ban" and before.duration is None:
                self._problem(doc, (*loc, "steps", position), "unreachable: the step before it bans forever")
            previous = max(previous, step.at)
        first = ladder.steps[0] if ladder.steps else None
        if first is not None and first.at != 1:
            self._problem(
                doc, (*loc, "steps", 0, "at"), "the first step must be at 1: a first strike needs a step"
            )


def build_detector(spec: Any, env: BuildEnv, owner: str, renames: dict[str, str]) -> Detector:
    if spec.any is not None:
        return AnyOf([build_detector(child, env, owner, renames) for child in spec.any])
    if spec.all is not None:
        return AllOf([build_detector(child, env, owner, renames) for child in spec.all])
    for name, cls in REGISTRY.items():
        settings = getattr(spec, name)
        if settings is not None:
            env.renames = renames
            return cls(settings, env, owner)
    raise AssertionError("Detect validation guarantees one detector")


def _present(items: Sequence[T | None]) -> Iterator[tuple[int, T]]:
    """The items with their positions in the file. Only a salvaged policy has holes (None), where an item
    failed validation: see policies/salvage.py."""
    return ((position, item) for position, item in enumerate(items) if item is not None)


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        out[key] = (
            _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
        )
    return out


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)
