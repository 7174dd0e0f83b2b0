"""The repository stands on its own: its documents point only at files inside it, and
those files exist."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# Markdown link targets, and `code` spans that look like a path to a file.
LINK = re.compile(r"\]\(([^)\s#]+)[^)]*\)")
PATH_IN_CODE = re.compile(r"`((?:\.{1,2}/|/)[^`\s]*|[\w.-]+/[\w./-]*\.[a-z]{2,4})`")


def referenced_paths(document: Path) -> list[str]:
    text = document.read_text(encoding="utf-8")
    found = LINK.findall(text) + PATH_IN_CODE.findall(text)
    return [p for p in found if not re.match(r"[a-z]+:", p)]  # not http:, mailto:...


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: d.name)
def test_it_points_only_at_files_inside_the_repository(document):
    for path in referenced_paths(document):
        if path.startswith("/"):
            continue  # a URL path of the app (`/status/`), not a file
        target = (document.parent / path).resolve()
        assert target.is_relative_to(ROOT), f"{document.name} points outside: {path}"


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda d: d.name)
def test_it_links_to_documents_that_exist(document):
    text = document.read_text(encoding="utf-8")
    for path in LINK.findall(text):
        if not re.match(r"[a-z]+:", path):
            assert (document.parent / path).exists(), f"{document.name} links to {path}"
