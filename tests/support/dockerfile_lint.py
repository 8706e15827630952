"""A Dockerfile linter for keel's image: hadolint's rules that matter here, in Python (no hadolint binary needed).

``lint(text)`` returns one ``Finding`` per broken rule (the rule ids are hadolint's where one exists):

- DL3006/DL3007: every base image has a pinned tag (or digest), never ``latest``; ``ARG`` defaults are resolved.
- DL3000: ``WORKDIR`` is absolute. DL3003: no ``cd`` in ``RUN`` (use ``WORKDIR``). DL3004: no ``sudo``.
- DL3020: ``COPY``, not ``ADD``, for local files. DL3025: ``CMD``/``ENTRYPOINT`` in exec (JSON) form.
- DL3008-style: ``apt-get install`` with ``-y`` and ``--no-install-recommends`` (DL3015), lists removed in the same
  ``RUN`` (DL3009). DL3042: ``pip install --no-cache-dir``. DL4000: no ``MAINTAINER``.
- DL3022: ``COPY --from`` names an earlier stage or a pinned image.
- DL4003/DL4004: one ``CMD``/``HEALTHCHECK`` per stage.
- KEEL001: the final stage sets a non-root ``USER`` before its ``CMD``/``ENTRYPOINT``.
- KEEL002: the final stage has a ``HEALTHCHECK``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Finding:
    rule: str
    line: int
    message: str


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str
    line: int


@dataclass
class Stage:
    image: str
    name: str | None
    line: int
    instructions: list[Instruction] = field(default_factory=list)


def parse(text: str) -> list[Instruction]:
    """Instructions with their continuation lines joined and comments dropped."""
    instructions: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending.append(stripped[:-1].strip())
            continue
        pending.append(stripped)
        joined = " ".join(part for part in pending if part)
        keyword, _, arguments = joined.partition(" ")
        instructions.append(Instruction(keyword.upper(), arguments.strip(), start))
        pending = []
    return instructions


def _resolve(value: str, arguments: dict[str, str]) -> str:
    return re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", lambda match: arguments.get(match[1], match[0]), value)


def _pinned(image: str) -> bool:
    if "@sha256:" in image:
        return True
    name, _, tag = image.rpartition(":")
    return bool(name) and "/" not in tag and tag not in {"", "latest"} and "$" not in image


def _stages(instructions: list[Instruction]) -> tuple[list[Stage], dict[str, str], list[Finding]]:
    global_arguments: dict[str, str] = {}
    stages: list[Stage] = []
    findings: list[Finding] = []
    for instruction in instructions:
        if instruction.keyword == "ARG" and not stages:
            name, _, default = instruction.arguments.partition("=")
            global_arguments[name.strip()] = default.strip().strip('"')
        elif instruction.keyword == "FROM":
            parts = [part for part in instruction.arguments.split() if not part.startswith("--platform")]
            image = _resolve(parts[0], global_arguments)
            name = parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else None
            known = {stage.name for stage in stages if stage.name}
            if image not in known and not _pinned(image):
                findings.append(Finding("DL3006", instruction.line, f"pin the base image's tag: {image}"))
            stages.append(Stage(image, name, instruction.line))
        elif stages:
            stages[-1].instructions.append(instruction)
    return stages, global_arguments, findings


def _run_findings(instruction: Instruction) -> list[Finding]:
    command, line = instruction.arguments, instruction.line
    findings: list[Finding] = []
    segments = [segment.strip() for segment in re.split(r"&&|;|\|\|", command)]
    if any(segment.startswith("cd ") for segment in segments):
        findings.append(Finding("DL3003", line, "use WORKDIR instead of cd"))
    if re.search(r"(^|\s)sudo\s", command):
        findings.append(Finding("DL3004", line, "do not use sudo"))
    if re.search(r"apt-get\s+(\S+\s+)*install", command):
        if not re.search(r"\s(-y|--yes|-qq?y|--assume-yes)\b", command):
            findings.append(Finding("DL3014", line, "apt-get install needs -y"))
        if "--no-install-recommends" not in command:
            findings.append(Finding("DL3015", line, "apt-get install needs --no-install-recommends"))
        if "rm -rf /var/lib/apt/lists" not in command:
            findings.append(Finding("DL3009", line, "remove /var/lib/apt/lists in the same RUN"))
    if re.search(r"pip3?\s+install", command) and "--no-cache-dir" not in command:
        findings.append(Finding("DL3042", line, "pip install needs --no-cache-dir"))
    return findings


def _exec_form(arguments: str) -> bool:
    try:
        parsed = json.loads(arguments)
    except ValueError:
        return False
    return isinstance(parsed, list) and all(isinstance(item, str) for item in parsed)


def _stage_findings(stage: Stage, earlier: set[str], arguments: dict[str, str]) -> list[Finding]:
    findings: list[Finding] = []
    counts = {"CMD": 0, "HEALTHCHECK": 0, "ENTRYPOINT": 0}
    for instruction in stage.instructions:
        keyword, line = instruction.keyword, instruction.line
        if keyword in counts:
            counts[keyword] += 1
            if counts[keyword] > 1:
                findings.append(Finding("DL4003", line, f"more than one {keyword} in a stage"))
        if keyword == "RUN":
            findings += _run_findings(instruction)
        elif keyword == "WORKDIR" and not instruction.arguments.startswith(("/", "$")):
            findings.append(Finding("DL3000", line, "WORKDIR must be absolute"))
        elif keyword == "ADD" and not re.search(r"https?://", instruction.arguments):
            findings.append(Finding("DL3020", line, "use COPY, not ADD, for local files"))
        elif keyword in {"CMD", "ENTRYPOINT"} and not _exec_form(instruction.arguments):
            findings.append(Finding("DL3025", line, f"{keyword} in exec (JSON) form"))
        elif keyword == "MAINTAINER":
            findings.append(Finding("DL4000", line, "MAINTAINER is deprecated; use a LABEL"))
        elif keyword == "COPY":
            source = re.search(r"--from=(\S+)", instruction.arguments)
            if source:
                origin = _resolve(source[1], arguments)
                if origin not in earlier and not origin.isdigit() and not _pinned(origin):
                    findings.append(Finding("DL3022", line, f"COPY --from names no earlier stage: {origin}"))
    return findings


def _final_stage_findings(stage: Stage) -> list[Finding]:
    findings: list[Finding] = []
    user: str | None = None
    for instruction in stage.instructions:
        if instruction.keyword == "USER":
            user = instruction.arguments.split(":")[0].strip()
        if instruction.keyword in {"CMD", "ENTRYPOINT"} and (user is None or user in {"root", "0"}):
            findings.append(Finding("KEEL001", instruction.line, f"{instruction.keyword} before a non-root USER"))
    if user is None or user in {"root", "0"}:
        findings.append(Finding("KEEL001", stage.line, "the final stage must run as a non-root USER"))
    if not any(instruction.keyword == "HEALTHCHECK" for instruction in stage.instructions):
        findings.append(Finding("KEEL002", stage.line, "the final stage needs a HEALTHCHECK"))
    return findings


def lint(text: str) -> list[Finding]:
    stages, arguments, findings = _stages(parse(text))
    if not stages:
        return [Finding("DL3061", 1, "no FROM")]
    for index, stage in enumerate(stages):
        earlier = {s.name for s in stages[:index] if s.name}
        findings += _stage_findings(stage, earlier, arguments)
    findings += _final_stage_findings(stages[-1])
    return sorted(findings, key=lambda finding: (finding.line, finding.rule))
