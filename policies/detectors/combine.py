"""`any` and `all`: detectors made of detectors."""

from __future__ import annotations

from policies.detectors.base import Context, Detector, Finding, Message


class AnyOf(Detector):
    name = "_any"

    def __init__(self, children: list[Detector]) -> None:
        self.children = children

    def check(self, message: Message, ctx: Context) -> Finding | None:
        for child in self.children:
            finding = child.check(message, ctx)
            if finding is not None:
                return finding
        return None

    def observes_history(self) -> bool:
        return any(child.observes_history() for child in self.children)


class AllOf(AnyOf):
    name = "_all"

    def check(self, message: Message, ctx: Context) -> Finding | None:
        findings = []
        for child in self.children:
            finding = child.check(message, ctx)
            if finding is None:
                return None
            findings.append(finding)
        return Finding(
            "+".join(f.detector for f in findings),
            tuple(s for f in findings for s in f.spans),
            tuple(s for f in findings for s in f.aligned_forms()),
            "; ".join(f.figure for f in findings if f.figure),
            tuple(e for f in findings for e in f.entries),
        )
