"""docker/Dockerfile passes the hadolint-style rules of ``support.dockerfile_lint``, and each rule catches what it
is meant to catch."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.dockerfile_lint import lint

DOCKERFILE = Path(__file__).resolve().parents[3] / "docker" / "Dockerfile"

GOOD_TAIL = """
FROM python:3.12.14-slim-trixie
USER 10001:10001
HEALTHCHECK CMD ["true"]
CMD ["serve"]
"""


def test_the_image_dockerfile_has_no_findings() -> None:
    assert lint(DOCKERFILE.read_text(encoding="utf-8")) == []


def test_the_image_is_multi_stage_with_uv_only_in_the_build() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    runtime = text.split("AS runtime", 1)[1]
    assert text.count("\nFROM ") >= 3
    assert "uv sync --locked" in text
    assert "/uv" not in runtime
    assert "COPY --from=build /app/.venv" in runtime


@pytest.mark.parametrize(
    ("dockerfile", "rule"),
    [
        ('FROM python\nUSER 1\nHEALTHCHECK CMD ["true"]\nCMD ["x"]\n', "DL3006"),
        ('FROM python:latest\nUSER 1\nHEALTHCHECK CMD ["true"]\nCMD ["x"]\n', "DL3006"),
        ('ARG BASE=python\nFROM ${BASE}\nUSER 1\nHEALTHCHECK CMD ["true"]\nCMD ["x"]\n', "DL3006"),
        ('FROM python:3.12-slim\nHEALTHCHECK CMD ["true"]\nCMD ["x"]\n', "KEEL001"),
        ('FROM python:3.12-slim\nUSER root\nHEALTHCHECK CMD ["true"]\nCMD ["x"]\n', "KEEL001"),
        ('FROM python:3.12-slim\nCMD ["x"]\nUSER 1\nHEALTHCHECK CMD ["true"]\n', "KEEL001"),
        ('FROM python:3.12-slim\nUSER 1\nCMD ["x"]\n', "KEEL002"),
        ("FROM python:3.12-slim\nADD src /src" + GOOD_TAIL, "DL3020"),
        (
            "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends git" + GOOD_TAIL,
            "DL3009",
        ),
        ("FROM python:3.12-slim\nRUN apt-get install -y git && rm -rf /var/lib/apt/lists/*" + GOOD_TAIL, "DL3015"),
        ("FROM python:3.12-slim\nRUN cd /tmp && make" + GOOD_TAIL, "DL3003"),
        ("FROM python:3.12-slim\nRUN sudo make" + GOOD_TAIL, "DL3004"),
        ("FROM python:3.12-slim\nWORKDIR app" + GOOD_TAIL, "DL3000"),
        ("FROM python:3.12-slim\nRUN pip install \\\n    httpx" + GOOD_TAIL, "DL3042"),
        ("FROM python:3.12-slim\nCOPY --from=builder /a /a" + GOOD_TAIL, "DL3022"),
        ('FROM python:3.12-slim\nUSER 1\nHEALTHCHECK CMD ["true"]\nCMD keel serve\n', "DL3025"),
        ("FROM python:3.12-slim\nMAINTAINER someone" + GOOD_TAIL, "DL4000"),
        ('FROM python:3.12-slim\nUSER 1\nHEALTHCHECK CMD ["true"]\nCMD ["x"]\nCMD ["y"]\n', "DL4003"),
    ],
)
def test_each_rule_finds_its_problem(dockerfile: str, rule: str) -> None:
    assert rule in {finding.rule for finding in lint(dockerfile)}


def test_a_clean_multi_stage_file_passes() -> None:
    dockerfile = (
        "ARG IMAGE=python:3.12.14-slim\nFROM ${IMAGE} AS build\n# a comment\nRUN pip install --no-cache-dir \\\n"
        '    uv\nFROM ${IMAGE}\nCOPY --from=build /x /x\nUSER 10001\nHEALTHCHECK CMD ["true"]\n'
        'ENTRYPOINT ["keel"]\nCMD ["serve"]\n'
    )
    assert lint(dockerfile) == []
